// Package offheap gives arrays without pointers memory of their own, an
// anonymous mapping outside the Go heap.
//
// A one-shot command runs under a soft memory limit (cmd/tcpaudit). An
// array sized to its bound at once, so that growing it never holds the old
// array and its copy together, counts whole against that limit though only
// the pages written are resident: 2 MiB of CLOSE_WAIT inodes reserved for a
// census that kept 19,000 of them left the collector a heap goal at the
// live heap, and it ran 17 times in a `check` of 100,000 sockets. Memory
// the runtime does not manage counts in the RSS alone, and only as written.
package offheap

import (
	"fmt"
	"reflect"
)

// Memory keeps a mapping made by Make; the mapping is unmapped once the
// Memory is unreachable. Whoever holds a slice from Make holds its Memory
// with it, for as long as the slice is used.
type Memory struct{ b []byte }

// Make returns a slice of T with length 0 and capacity n in a mapping of
// its own, and the Memory that keeps it. T must hold no pointers (the
// collector does not look into the mapping); Make panics otherwise. For n
// 0, or where the mapping fails, the slice is the heap's and the Memory
// nil.
func Make[T any](n int) ([]T, *Memory) {
	if t := reflect.TypeFor[T](); hasPointers(t) {
		panic(fmt.Sprintf("offheap: %v holds pointers", t))
	}
	if n <= 0 {
		return nil, nil
	}
	s, m := mapSlice[T](n)
	if m == nil {
		return make([]T, 0, n), nil
	}
	return s, m
}

// hasPointers reports whether values of t hold pointers the collector
// must see.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return false
	case reflect.Array:
		return t.Len() > 0 && hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
		return false
	}
	return true
}

package report

import (
	"reflect"

	"github.com/tcpaudit/tcpaudit/internal/visible"
)

// Escape returns s with what a terminal would act on made visible: newline
// and tab as \n and \t, the other C0 and C1 control characters as \xNN
// (\u00NN for C1 characters), and bytes that are not UTF-8 as \xNN; in a
// value it escapes, backslash as \\ too, so a literal backslash-n never
// reads as an escaped newline. An escaped value is one line, so a name
// holding a newline cannot forge a line of the report. Process names,
// namespace names, paths, kernel releases and file contents come from the
// system and may hold escape sequences; text, Markdown, JUnit and SARIF
// show them through Escape so they never reach a terminal raw.
func Escape(s string) string { return visible.String(s) }

// escaped returns a deep copy of v with every string in it, at any depth
// of exported fields, slices, maps and pointers, passed through Escape.
// Text and Markdown render escaped copies of what they are given.
func escaped[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	out := escapeValue(rv)
	return out.Interface().(T)
}

func escapeValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		return reflect.ValueOf(Escape(v.String())).Convert(v.Type())
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(escapeValue(v.Elem()))
		return p
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			s.Index(i).Set(escapeValue(v.Index(i)))
		}
		return s
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		m := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			m.SetMapIndex(escapeValue(it.Key()), escapeValue(it.Value()))
		}
		return m
	case reflect.Struct:
		return escapeStruct(v)
	}
	return v
}

// escapeStruct copies a struct and escapes its exported fields; the
// unexported ones (time.Time's, netip.Addr's) are copied as they are.
func escapeStruct(v reflect.Value) reflect.Value {
	s := reflect.New(v.Type()).Elem()
	s.Set(v)
	for i := range v.NumField() {
		if f := s.Field(i); f.CanSet() {
			f.Set(escapeValue(v.Field(i)))
		}
	}
	return s
}

// Package sysctl owns the table of the network sysctl keys tcpaudit knows:
// each key's type, default, bounds, network-namespace scope, kernel history,
// meaning and kernel source reference.
//
// The table is keys.tsv, embedded and parsed once. Its columns, in order:
//
//	key         the dotted name (net.ipv4.tcp_fin_timeout)
//	type        the value's type, as documentation text
//	default     the kernel's default, as documentation text
//	valid_min   the lower bound, as documentation text
//	valid_max   the upper bound, as documentation text
//	fields      how many integers a value holds; "-" when bounds are not checked
//	min, max    the bound of every field: an integer, INT_MIN, INT_MAX or LONG_MAX;
//	            where the kernel enforces nothing, the limits of the C type
//	scope       netns (every network namespace has it), global (only the
//	            initial namespace has it), global-ro (global, and child
//	            namespaces of newer kernels show it read-only with the
//	            initial namespace's value) or removed (no current kernel has it)
//	scope_note  a note on the scope
//	removed     the kernel release that removed the key
//	history     kernel history and notes on the value
//	meaning     what the key does; "-" for a key known only by its scope
//	source      kernel source and documentation references
//
// A "-" stands for an empty text. A row that does not parse is an error,
// never skipped.
package sysctl

import (
	_ "embed"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

//go:embed keys.tsv
var keysTSV string

// Scope says which network namespaces have a key.
type Scope uint8

// The scopes a key can have.
const (
	// ScopeNetns keys exist in every network namespace, each with its own value.
	ScopeNetns Scope = iota + 1
	// ScopeGlobal keys are registered only in the initial network namespace.
	ScopeGlobal
	// ScopeRemoved keys no longer exist in current kernels.
	ScopeRemoved
	// ScopeGlobalReadOnly keys are global too, but child namespaces of
	// newer kernels show them read-only with the initial namespace's value
	// (docs/kernel-facts.md §12): only the initial namespace can change them.
	ScopeGlobalReadOnly
)

// String returns the scope as the table writes it.
func (s Scope) String() string {
	switch s {
	case ScopeNetns:
		return "netns"
	case ScopeGlobal:
		return "global"
	case ScopeRemoved:
		return "removed"
	case ScopeGlobalReadOnly:
		return "global-ro"
	}
	return fmt.Sprintf("Scope(%d)", uint8(s))
}

// Limits is what the kernel accepts for a key's value.
type Limits struct {
	// Fields is the number of integers the value holds.
	Fields int
	// Min and Max bound every field; where the kernel enforces nothing
	// they are the limits of the C type.
	Min, Max int64
}

// Key is what the table says about one sysctl.
type Key struct {
	// Name is the dotted key, net.ipv4.tcp_fin_timeout.
	Name string
	// Type, Default, Min and Max are documentation text.
	Type, Default, Min, Max string
	// Scope says which network namespaces have the key.
	Scope Scope
	// ScopeNote qualifies the scope (and per interface, global ipv4_table).
	ScopeNote string
	// Removed names the kernel release that removed the key.
	Removed string
	// History is the kernel history and notes on the value.
	History string
	// Meaning says what the key does; empty for a key known only by its
	// scope.
	Meaning string
	// Source cites the kernel source and documentation.
	Source string

	limits Limits
}

// Global reports whether the key's value belongs to the initial network
// namespace (docs/kernel-facts.md §12): in Linux 6.1 no other namespace
// has it. Keys of scope global-ro are global too; ReadOnlyInChild tells
// them apart.
func (k Key) Global() bool { return k.Scope == ScopeGlobal || k.Scope == ScopeGlobalReadOnly }

// ReadOnlyInChild reports whether child network namespaces of newer
// kernels show the global key read-only with the initial namespace's value
// (net.core.rmem_max, wmem_max, rmem_default, wmem_default): present there,
// yet only the initial namespace can change it.
func (k Key) ReadOnlyInChild() bool { return k.Scope == ScopeGlobalReadOnly }

// Limits returns the bounds the kernel enforces on the key's value, and
// false when the table states none to check.
func (k Key) Limits() (Limits, bool) { return k.limits, k.limits.Fields > 0 }

// Documented reports whether the table explains the key, not only its
// scope.
func (k Key) Documented() bool { return k.Meaning != "" }

// table is the parsed keys.tsv, by name.
type table map[string]Key

// load parses the embedded table once. The table is part of the program:
// a malformed row is a defect that the package tests catch, so it panics
// rather than leave a key out.
var load = sync.OnceValue(func() table {
	t, err := parse("keys.tsv", strings.NewReader(keysTSV))
	if err != nil {
		panic(err)
	}
	return t
})

// Lookup returns the table's row for a dotted key.
func Lookup(name string) (Key, bool) {
	k, ok := load()[name]
	return k, ok
}

// All returns every key of the table, sorted by name.
func All() []Key {
	t := load()
	out := make([]Key, 0, len(t))
	for _, name := range slices.Sorted(maps.Keys(t)) {
		out = append(out, t[name])
	}
	return out
}

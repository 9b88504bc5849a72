package taskfd

import (
	"errors"
	"fmt"
	"slices"
)

// maxChain bounds a chain of typedefs and qualifiers: longer is a loop.
const maxChain = 32

// maxAnonTypes bounds the anonymous structs and unions one search looks
// into, each once.
const maxAnonTypes = 1 << 12

// resolve follows typedefs and qualifiers (const, volatile, restrict, type
// tags) from id to the type they name.
func (ts *typeSet) resolve(id uint32) (uint32, *btfType, error) {
	for range maxChain {
		t := ts.types[id]
		if t == nil {
			return 0, nil, fmt.Errorf("type %d is void or missing", id)
		}
		switch t.kind {
		case kindTypedef, kindVolatile, kindConst, kindRestrict, kindTypeTag:
			id = t.sizeType
			continue
		}
		return id, t, nil
	}
	return 0, nil, fmt.Errorf("type %d: more than %d typedefs and qualifiers in a row (a loop?)", id, maxChain)
}

// walk follows a path of member names from the struct or union id and
// returns the last member, its offset counted from id's start.
func (ts *typeSet) walk(id uint32, path []string) (btfMember, error) {
	m := btfMember{typ: id}
	for _, name := range path {
		_, t, err := ts.resolve(m.typ)
		if err != nil {
			return m, err
		}
		if t.kind != kindStruct && t.kind != kindUnion {
			return m, fmt.Errorf("member before %s: kind %d, not a struct or union", name, t.kind)
		}
		inner, err := ts.member(t, slices.Index(ts.q.names, name), map[uint32]bool{})
		if err != nil {
			return m, err
		}
		if inner.bits != 0 && name != path[len(path)-1] {
			return m, fmt.Errorf("%s: a bitfield", name)
		}
		inner.off += m.off
		m = inner
	}
	return m, nil
}

// member finds the member called name in t or, where C would find it, in
// one of t's anonymous struct or union members, at any depth; its offset
// counts from t's start. seen holds the anonymous types searched already:
// each is searched once, so a loop ends and the work stays linear.
func (ts *typeSet) member(t *btfType, name int, seen map[uint32]bool) (btfMember, error) {
	if i := slices.IndexFunc(t.members, func(m btfMember) bool { return m.name == name }); i >= 0 {
		return t.members[i], nil
	}
	for _, m := range t.members {
		if m.name != nameAnon {
			continue
		}
		id, at, err := ts.resolve(m.typ)
		if err != nil {
			return m, err
		}
		if at.kind != kindStruct && at.kind != kindUnion || seen[id] {
			continue // an unnamed bitfield, or searched
		}
		if seen[id] = true; len(seen) > maxAnonTypes {
			return m, fmt.Errorf("more than %d anonymous members searched", maxAnonTypes)
		}
		inner, err := ts.member(at, name, seen)
		if errors.Is(err, errNoMember) {
			continue
		}
		if err != nil {
			return m, err
		}
		inner.off += m.off
		return inner, nil
	}
	return btfMember{}, errNoMember
}

// check returns the size of member m when it has shape s.
func (ts *typeSet) check(m btfMember, s shape) (uint32, error) {
	if m.bits != 0 || m.off%8 != 0 {
		return 0, fmt.Errorf("a bitfield or not byte-aligned (bit %d, %d bits)", m.off, m.bits)
	}
	_, t, err := ts.resolve(m.typ)
	if err != nil {
		return 0, err
	}
	switch {
	case t.kind != s.kind:
		return 0, fmt.Errorf("kind %d, want %d", t.kind, s.kind)
	case s.kind == kindInt:
		if !slices.Contains(s.sizes, t.sizeType) || t.intBits != 8*t.sizeType || t.intOffset != 0 {
			return 0, fmt.Errorf("an integer of %d bytes (%d bits at bit %d), want %v bytes", t.sizeType, t.intBits, t.intOffset, s.sizes)
		}
		return t.sizeType, nil
	case s.pointee != "":
		_, p, err := ts.resolve(t.sizeType)
		if err != nil {
			return 0, fmt.Errorf("pointer: %w", err)
		}
		if p.kind != kindStruct || p.name != slices.Index(ts.q.names, s.pointee) {
			return 0, fmt.Errorf("a pointer to something other than struct %s", s.pointee)
		}
	}
	return 8, nil
}

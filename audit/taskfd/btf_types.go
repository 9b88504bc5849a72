package taskfd

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
)

// The BTF kinds (include/uapi/linux/btf.h).
const (
	kindInt       = 1
	kindPtr       = 2
	kindArray     = 3
	kindStruct    = 4
	kindUnion     = 5
	kindEnum      = 6
	kindFwd       = 7
	kindTypedef   = 8
	kindVolatile  = 9
	kindConst     = 10
	kindRestrict  = 11
	kindFunc      = 12
	kindFuncProto = 13
	kindVar       = 14
	kindDatasec   = 15
	kindFloat     = 16
	kindDeclTag   = 17
	kindTypeTag   = 18
	kindEnum64    = 19
)

// btfTypeLen is the size of struct btf_type, before a kind's own data.
const btfTypeLen = 12

// maxPasses bounds the passes over the type section: each one follows the
// references of the types kept so far one step further (a typedef chain,
// an anonymous member) where they point backwards.
const maxPasses = 16

// trailing returns the length of the data after the header of a type of
// kind with vlen entries.
func trailing(kind, vlen int) (int64, error) {
	n := int64(vlen)
	switch kind {
	case kindInt, kindVar, kindDeclTag:
		return 4, nil
	case kindArray:
		return 12, nil
	case kindStruct, kindUnion, kindDatasec, kindEnum64:
		return 12 * n, nil
	case kindEnum, kindFuncProto:
		return 8 * n, nil
	case kindPtr, kindFwd, kindTypedef, kindVolatile, kindConst, kindRestrict, kindFunc, kindFloat, kindTypeTag:
		return 0, nil
	}
	return 0, fmt.Errorf("unknown kind %d", kind)
}

// Names of types and members as the scan knows them: an index into the
// query's names, or one of these.
const (
	nameOther = -1 // a name the query does not ask for
	nameAnon  = -2 // no name (name_off 0)
)

// btfType is a type the scan kept.
type btfType struct {
	kind, name int
	// sizeType is the size of an INT, STRUCT or UNION, the type a PTR,
	// TYPEDEF, qualifier or FUNC refers to.
	sizeType uint32
	// intBits and intOffset are an INT's bits and bit offset.
	intBits, intOffset uint32
	// members are a struct's or union's members named in the query or
	// anonymous, or a FUNC_PROTO's parameters.
	members []btfMember
}

// btfMember is a member of a struct or union (offset in bits, bitfield
// size when the struct's kind_flag is set) or a function's parameter.
type btfMember struct {
	name      int
	typ       uint32
	off, bits uint32
}

// typeSet is what the passes keep: the types asked for, by ID, and the IDs
// of the types the query names.
type typeSet struct {
	q      *query
	names  []nameAt
	types  map[uint32]*btfType
	want   map[uint32]bool // referenced, not yet kept
	last   uint32          // the highest ID wanted in this pass
	byName map[int][]uint32
	count  uint32 // the number of types, once a pass has counted them
}

// scanTypes passes over the type section until every type referenced by a
// kept one is kept too.
func (f *btfFile) scanTypes(q *query, names []nameAt) (*typeSet, error) {
	ts := &typeSet{q: q, names: names, types: map[uint32]*btfType{}, want: map[uint32]bool{}, byName: map[int][]uint32{}}
	for pass := range maxPasses {
		ts.last = 0
		for id := range ts.want {
			ts.last = max(ts.last, id)
		}
		if err := f.typePass(ts, pass == 0); err != nil {
			return nil, err
		}
		if len(ts.want) == 0 {
			return ts, nil
		}
		for id := range ts.want {
			if id > ts.count {
				return nil, fmt.Errorf("%w: type %d referenced, past the last (%d)", errBTF, id, ts.count)
			}
		}
	}
	return nil, fmt.Errorf("%w: types still referenced after %d passes", errBTF, maxPasses)
}

// typePass reads the type section once, keeping the types wanted and, on
// the first pass, those the query names.
func (f *btfFile) typePass(ts *typeSet, first bool) error {
	br := f.section(f.typeStart, f.typeLen)
	left := f.typeLen
	id := uint32(1)
	// A pass after the first ends past the last type wanted: the types
	// still wanted are mostly base types, early in the section.
	for ; left > 0 && (first || id <= ts.last); id++ {
		if left < btfTypeLen {
			return fmt.Errorf("%w: type %d: %d bytes left for a %d-byte header", errBTF, id, left, btfTypeLen)
		}
		h, err := br.Peek(btfTypeLen)
		if err != nil {
			return fmt.Errorf("%w: type %d: %w", errBTF, id, err)
		}
		info := f.order.Uint32(h[4:])
		kind, vlen := int(info>>24&0x1f), int(info&0xffff)
		n, err := trailing(kind, vlen)
		if err != nil {
			return fmt.Errorf("%w: type %d: %w", errBTF, id, err)
		}
		if btfTypeLen+n > left {
			return fmt.Errorf("%w: type %d (kind %d, vlen %d) runs past the type section", errBTF, id, kind, vlen)
		}
		left -= btfTypeLen + n
		nameOff, sizeType := f.order.Uint32(h[0:]), f.order.Uint32(h[8:])
		br.Discard(btfTypeLen) // peeked
		keep := ts.want[id]
		if !keep && first && (kind == kindStruct || kind == kindUnion || kind == kindFunc) {
			keep = ts.q.root(kind, ts.name(nameOff))
		}
		if !keep || ts.types[id] != nil {
			if _, err := br.Discard(int(n)); err != nil {
				return fmt.Errorf("%w: type %d: %w", errBTF, id, err)
			}
			continue
		}
		t := &btfType{kind: kind, name: ts.name(nameOff), sizeType: sizeType}
		if err := f.readData(br, ts, t, vlen, info>>31 == 1); err != nil {
			return fmt.Errorf("%w: type %d: %w", errBTF, id, err)
		}
		ts.keep(id, t)
	}
	if first {
		ts.count = id - 1
	}
	return nil
}

// name returns the query's index of the name at off.
func (ts *typeSet) name(off uint32) int {
	if off == 0 {
		return nameAnon
	}
	if i, ok := slices.BinarySearchFunc(ts.names, off, func(n nameAt, off uint32) int { return cmp.Compare(n.off, off) }); ok {
		return ts.names[i].name
	}
	return nameOther
}

// keep records t as type id and wants the types it refers to.
func (ts *typeSet) keep(id uint32, t *btfType) {
	ts.types[id] = t
	delete(ts.want, id)
	if ts.q.root(t.kind, t.name) {
		ts.byName[t.name] = append(ts.byName[t.name], id)
	}
	refer := func(ref uint32) {
		if ref != 0 && ts.types[ref] == nil {
			ts.want[ref] = true
			ts.last = max(ts.last, ref)
		}
	}
	switch t.kind {
	case kindPtr, kindTypedef, kindVolatile, kindConst, kindRestrict, kindTypeTag, kindFunc:
		refer(t.sizeType)
	}
	for _, m := range t.members {
		refer(m.typ)
	}
}

// readData reads the data after a kept type's header: an INT's encoding,
// the members of a struct or union the query may need, a function's
// parameters; it skips any other kind's.
func (f *btfFile) readData(br *bufio.Reader, ts *typeSet, t *btfType, vlen int, kindFlag bool) error {
	var b [12]byte
	switch t.kind {
	case kindInt:
		if _, err := io.ReadFull(br, b[:4]); err != nil {
			return err
		}
		enc := f.order.Uint32(b[:])
		t.intBits, t.intOffset = enc&0xff, enc>>16&0xff
	case kindStruct, kindUnion:
		for range vlen {
			if _, err := io.ReadFull(br, b[:12]); err != nil {
				return err
			}
			m := btfMember{name: ts.name(f.order.Uint32(b[0:])), typ: f.order.Uint32(b[4:]), off: f.order.Uint32(b[8:])}
			if kindFlag {
				m.off, m.bits = m.off&0xffffff, m.off>>24
			}
			if m.name >= 0 && ts.q.member[m.name] || m.name == nameAnon {
				t.members = append(t.members, m)
			}
		}
	case kindFuncProto:
		for range vlen {
			if _, err := io.ReadFull(br, b[:8]); err != nil {
				return err
			}
			t.members = append(t.members, btfMember{name: ts.name(f.order.Uint32(b[0:])), typ: f.order.Uint32(b[4:])})
		}
	default:
		n, _ := trailing(t.kind, vlen)
		if _, err := br.Discard(int(n)); err != nil {
			return err
		}
	}
	return nil
}

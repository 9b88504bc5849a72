package taskfd

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// layout is what the program needs from the running kernel: the BTF ID of
// the function it attaches to, where the iterator's context holds each
// argument, and the offset and width of every field it loads.
type layout struct {
	attachID uint32
	// The arguments of the context.
	ctxMeta, ctxTask, ctxFD, ctxFile field
	// bpf_iter_meta.seq, task_struct.tgid, file.f_inode, inode.i_ino,
	// socket.sk, sock.__sk_common.skc_state.
	seq, tgid, fileInode, iIno, sk, state field
}

// field is where a load reads: a byte offset and a width in bytes.
type field struct {
	off  int16
	size uint8
}

// shape is what a field must be for the program's load: an integer of one
// of sizes, a pointer (to the struct named pointee, when not empty).
type shape struct {
	kind    int
	sizes   []uint32
	pointee string
}

func intOf(sizes ...uint32) shape { return shape{kind: kindInt, sizes: sizes} }
func ptrTo(name string) shape     { return shape{kind: kindPtr, pointee: name} }

// fieldSpec is a field the program loads: a path from a named struct
// through its members, its shape, and where its place goes.
type fieldSpec struct {
	dst   *field
	path  []string
	shape shape
}

// attachFunc is the function a task_file iterator program attaches to
// (docs/kernel-facts.md §46).
const attachFunc = "bpf_iter_task_file"

// params are the attach function's parameters, in the order the context
// must hold them for the offsets the program reads.
func (l *layout) params() []fieldSpec {
	return []fieldSpec{
		{&l.ctxMeta, []string{"meta"}, ptrTo("bpf_iter_meta")},
		{&l.ctxTask, []string{"task"}, ptrTo("task_struct")},
		{&l.ctxFD, []string{"fd"}, intOf(4)},
		{&l.ctxFile, []string{"file"}, ptrTo("file")},
	}
}

// fields are the fields the program loads (taskfd.bpf.c).
func (l *layout) fields() []fieldSpec {
	return []fieldSpec{
		{&l.seq, []string{"bpf_iter_meta", "seq"}, ptrTo("")},
		{&l.tgid, []string{"task_struct", "tgid"}, intOf(4)},
		{&l.fileInode, []string{"file", "f_inode"}, ptrTo("inode")},
		{&l.iIno, []string{"inode", "i_ino"}, intOf(4, 8)},
		{&l.sk, []string{"socket", "sk"}, ptrTo("sock")},
		{&l.state, []string{"sock", "__sk_common", "skc_state"}, intOf(1)},
	}
}

// query is the names the scan looks for: the struct names that start a
// path or that a pointer must lead to, the member names of the paths, the
// attach function's and its parameters'.
type query struct {
	names           []string
	structs, member map[int]bool
	fn              int
}

// newQuery returns the query of the attach function fn, its parameters and
// the fields.
func newQuery(fn string, params, fields []fieldSpec) *query {
	q := &query{structs: map[int]bool{}, member: map[int]bool{}}
	q.fn = q.index(fn)
	for _, p := range params {
		q.index(p.path[0])
		if p.shape.pointee != "" {
			q.structs[q.index(p.shape.pointee)] = true
		}
	}
	for _, s := range fields {
		q.structs[q.index(s.path[0])] = true
		for _, m := range s.path[1:] {
			q.member[q.index(m)] = true
		}
		if s.shape.pointee != "" {
			q.structs[q.index(s.shape.pointee)] = true
		}
	}
	return q
}

// index returns the index of name, adding it.
func (q *query) index(name string) int {
	if i := slices.Index(q.names, name); i >= 0 {
		return i
	}
	q.names = append(q.names, name)
	return len(q.names) - 1
}

// root reports whether a type is kept on the first pass for its name: a
// struct or union the query names, or the attach function.
func (q *query) root(kind, name int) bool {
	if name < 0 {
		return false
	}
	return (kind == kindStruct || kind == kindUnion) && q.structs[name] || kind == kindFunc && name == q.fn
}

// readLayout reads the layout of the kernel whose BTF, size bytes, r
// holds. Its errors wrap errBTF.
func readLayout(r io.ReaderAt, size int64) (layout, error) {
	var l layout
	f, err := openBTF(r, size)
	if err != nil {
		return l, err
	}
	q := newQuery(attachFunc, l.params(), l.fields())
	names, err := f.findNames(q.names)
	if err != nil {
		return l, err
	}
	ts, err := f.scanTypes(q, names)
	if err != nil {
		return l, err
	}
	if l.attachID, err = ts.attach(l.params()); err != nil {
		return l, fmt.Errorf("%w: %s: %w", errBTF, attachFunc, err)
	}
	for _, s := range l.fields() {
		if *s.dst, err = ts.field(s); err != nil {
			return l, fmt.Errorf("%w: %s: %w", errBTF, dotted(s.path), err)
		}
	}
	return l, nil
}

// dotted joins a path with dots, as C names a member.
func dotted(path []string) string {
	s := path[0]
	for _, p := range path[1:] {
		s += "." + p
	}
	return s
}

// attach finds the attach function, one FUNC of its name, and the place of
// each parameter in the context: eight bytes each, in order, the four
// first (docs/kernel-facts.md §46).
func (ts *typeSet) attach(params []fieldSpec) (uint32, error) {
	ids := ts.byName[ts.q.fn]
	if len(ids) != 1 {
		return 0, fmt.Errorf("%d functions of the name, want 1", len(ids))
	}
	_, proto, err := ts.resolve(ts.types[ids[0]].sizeType)
	if err != nil {
		return 0, err
	}
	if proto.kind != kindFuncProto {
		return 0, fmt.Errorf("its type is of kind %d, not a function prototype", proto.kind)
	}
	for _, p := range params {
		i := slices.IndexFunc(proto.members, func(m btfMember) bool { return m.name == slices.Index(ts.q.names, p.path[0]) })
		if i < 0 || i >= len(params) {
			// Past the first ones, a parameter's place would depend on
			// the sizes of others the program does not know.
			return 0, fmt.Errorf("no parameter %s among the first %d", p.path[0], len(params))
		}
		size, err := ts.check(proto.members[i], p.shape)
		if err != nil {
			return 0, fmt.Errorf("parameter %s: %w", p.path[0], err)
		}
		*p.dst = field{off: int16(8 * i), size: uint8(size)}
	}
	return ids[0], nil
}

// maxSameName bounds the structs of one name a field is looked for in
// (the kernel has one of each the program reads).
const maxSameName = 64

// errNoMember marks a struct without the member a path names.
var errNoMember = errors.New("no such member")

// field finds the field s names in every struct of its first name: one
// place, whichever struct holds it.
func (ts *typeSet) field(s fieldSpec) (field, error) {
	var found []field
	ids := ts.byName[slices.Index(ts.q.names, s.path[0])]
	if len(ids) > maxSameName {
		return field{}, fmt.Errorf("%d structs of the name, more than %d", len(ids), maxSameName)
	}
	for _, id := range ids {
		m, err := ts.walk(id, s.path[1:])
		if errors.Is(err, errNoMember) {
			continue
		}
		if err != nil {
			return field{}, err
		}
		size, err := ts.check(m, s.shape)
		if err != nil {
			return field{}, err
		}
		if m.off/8 > math.MaxInt16 {
			return field{}, fmt.Errorf("offset %d bytes, past what a load can reach", m.off/8)
		}
		if f := (field{off: int16(m.off / 8), size: uint8(size)}); !slices.Contains(found, f) {
			found = append(found, f)
		}
	}
	switch len(found) {
	case 0:
		return field{}, fmt.Errorf("not found (%d structs of the name)", len(ts.byName[slices.Index(ts.q.names, s.path[0])]))
	case 1:
		return found[0], nil
	}
	return field{}, fmt.Errorf("%d structs of the name place it differently: %v", len(found), found)
}

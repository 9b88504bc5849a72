package taskfd

import (
	"encoding/binary"
	"strings"
)

// blob writes a BTF blob, type by type, for the fixtures and hostile
// inputs of the tests.
type blob struct {
	order binary.AppendByteOrder
	types []byte
	strs  []byte
	strAt map[string]uint32
	n     uint32 // types written
}

func newBlob(order binary.AppendByteOrder) *blob {
	return &blob{order: order, strs: []byte{0}, strAt: map[string]uint32{"": 0}}
}

// str returns the offset of s in the string section, adding it.
func (b *blob) str(s string) uint32 {
	if off, ok := b.strAt[s]; ok {
		return off
	}
	off := uint32(len(b.strs))
	b.strs = append(append(b.strs, s...), 0)
	b.strAt[s] = off
	return off
}

// shareTail makes short, a tail of long, name the end of long's string, as
// a producer sharing tails writes it.
func (b *blob) shareTail(long, short string) {
	if !strings.HasSuffix(long, short) {
		panic(short + " is no tail of " + long)
	}
	b.strAt[short] = b.str(long) + uint32(len(long)-len(short))
}

// add writes a type and returns its ID.
func (b *blob) add(kind int, name string, vlen int, kindFlag bool, sizeType uint32, data ...uint32) uint32 {
	info := uint32(kind)<<24 | uint32(vlen)
	if kindFlag {
		info |= 1 << 31
	}
	for _, v := range append([]uint32{b.str(name), info, sizeType}, data...) {
		b.types = b.order.AppendUint32(b.types, v)
	}
	b.n++
	return b.n
}

func (b *blob) intType(name string, size uint32) uint32 {
	return b.add(kindInt, name, 0, false, size, size*8)
}

func (b *blob) ref(kind int, name string, to uint32) uint32 { return b.add(kind, name, 0, false, to) }

// mem is a member of a struct or union: its offset in bits.
type mem struct {
	name   string
	typ    uint32
	bitOff uint32
}

func (b *blob) compound(kind int, name string, size uint32, members ...mem) uint32 {
	var data []uint32
	for _, m := range members {
		data = append(data, b.str(m.name), m.typ, m.bitOff)
	}
	return b.add(kind, name, len(members), false, size, data...)
}

func (b *blob) proto(ret uint32, params ...mem) uint32 {
	var data []uint32
	for _, p := range params {
		data = append(data, b.str(p.name), p.typ)
	}
	return b.add(kindFuncProto, "", len(params), false, ret, data...)
}

// bytes returns the blob: header, types, strings.
func (b *blob) bytes() []byte {
	out := b.order.AppendUint16(nil, btfMagic)
	out = append(out, 1, 0)
	for _, v := range []uint32{btfHeaderLen, 0, uint32(len(b.types)), uint32(len(b.types)), uint32(len(b.strs))} {
		out = b.order.AppendUint32(out, v)
	}
	return append(append(out, b.types...), b.strs...)
}

// fixtureKernel writes the types a task_file program needs, laid out
// unlike any kernel's, with what a reader must see through: nested
// anonymous unions and structs, typedef and qualifier chains, tails of
// strings shared, an unnamed bitfield, a forward declaration, and a
// struct of the same name that lacks the member. It returns the blob and
// the ID of the attach function; the layout it describes is
// fixtureLayout. hook, when not nil, runs after the base types and may
// add types and set roles: the type of the member tgid ("tgid"), of
// task_struct's anonymous member ("task_anon"), of f_inode ("f_inode"),
// of the parameter fd ("fd"), of a parameter before the others
// ("first_param").
func fixtureKernel(order binary.AppendByteOrder, hook func(b *blob, roles map[string]uint32)) ([]byte, uint32) {
	b := newBlob(order)
	b.shareTail("task", "sk")
	roles := map[string]uint32{
		"int":    b.intType("int", 4),
		"ushort": b.intType("unsigned short", 2),
		"ulong":  b.intType("unsigned long", 8),
		"uchar":  b.intType("unsigned char", 1),
		"uint":   b.intType("unsigned int", 4),
	}
	roles["pid_t"] = b.ref(kindTypedef, "pid_t", b.ref(kindTypedef, "__kernel_pid_t", roles["int"]))
	roles["umode_t"] = b.ref(kindTypedef, "umode_t", roles["ushort"])
	if hook != nil {
		hook(b, roles)
	}
	role := func(name string, def func() uint32) uint32 {
		if id, ok := roles[name]; ok {
			return id
		}
		return def()
	}
	b.add(kindFwd, "inode", 0, false, 0)
	b.compound(kindStruct, "inode", 4) // another inode, without the members
	seqFile := b.compound(kindStruct, "seq_file", 0)
	meta := b.compound(kindStruct, "bpf_iter_meta", 16, mem{"session", roles["ulong"], 0}, mem{"seq", b.ref(kindPtr, "", seqFile), 64})
	taskAnon := role("task_anon", func() uint32 {
		tgid := role("tgid", func() uint32 { return b.ref(kindConst, "", roles["pid_t"]) })
		in := b.compound(kindStruct, "", 8, mem{"pid", roles["int"], 0}, mem{"tgid", tgid, 32})
		return b.compound(kindUnion, "", 8, mem{"", in, 0}, mem{"other", roles["ulong"], 0})
	})
	task := b.compound(kindStruct, "task_struct", 64, mem{"state", roles["int"], 0}, mem{"", taskAnon, 64})
	inoUnion := b.compound(kindUnion, "", 8, mem{"i_ino", roles["ulong"], 0})
	inode := b.add(kindStruct, "inode", 3, true, 24,
		b.str("i_mode"), roles["umode_t"], 0,
		b.str(""), roles["uint"], 3<<24|16, // an unnamed bitfield of 3 bits
		b.str(""), inoUnion, 128)
	fInode := role("f_inode", func() uint32 { return b.ref(kindPtr, "", inode) })
	fileIn := b.compound(kindStruct, "", 16, mem{"f_mode", roles["uint"], 0}, mem{"f_inode", fInode, 64})
	file := b.compound(kindStruct, "file", 32, mem{"f_count", roles["ulong"], 0}, mem{"", fileIn, 64})
	stateUnion := b.compound(kindUnion, "", 1, mem{"skc_state", b.ref(kindVolatile, "", roles["uchar"]), 0})
	common := b.compound(kindStruct, "sock_common", 8, mem{"skc_family", roles["ushort"], 0}, mem{"", stateUnion, 24})
	sock := b.compound(kindStruct, "sock", 24, mem{"sk_flags", roles["ulong"], 0}, mem{"__sk_common", common, 64})
	socket := b.compound(kindStruct, "socket", 16, mem{"state", roles["int"], 0}, mem{"sk", b.ref(kindPtr, "", sock), 64})
	b.compound(kindStruct, "sock_common_other", 8, mem{"skc_state", roles["uchar"], 0})
	fd := role("fd", func() uint32 { return b.ref(kindTypedef, "u32", roles["uint"]) })
	params := []mem{
		{"meta", b.ref(kindPtr, "", meta), 0}, {"task", b.ref(kindPtr, "", task), 0},
		{"fd", fd, 0}, {"file", b.ref(kindPtr, "", file), 0},
	}
	if first, ok := roles["first_param"]; ok {
		params = append([]mem{{"x", first, 0}}, params...)
	}
	proto := b.proto(roles["int"], params...)
	fn := b.ref(kindFunc, "bpf_iter_task_file", proto)
	b.ref(kindPtr, "", socket)
	return b.bytes(), fn
}

// fixtureLayout is the layout fixtureKernel describes, attached to the
// function attach.
func fixtureLayout(attach uint32) layout {
	return layout{
		attachID: attach,
		ctxMeta:  field{0, 8}, ctxTask: field{8, 8}, ctxFD: field{16, 4}, ctxFile: field{24, 8},
		seq: field{8, 8}, tgid: field{12, 4}, fileInode: field{16, 8},
		iIno: field{16, 8}, sk: field{8, 8}, state: field{11, 1},
	}
}

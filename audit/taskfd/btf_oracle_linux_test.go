//go:build linux

package taskfd

import (
	"errors"
	"os"
	"testing"

	"github.com/cilium/ebpf/btf"
)

// TestLayoutMatchesCilium reads this kernel's BTF with readLayout and with
// github.com/cilium/ebpf/btf, a decoder of its own, and compares the
// attach target's ID, the parameters' places and every field's offset and
// width.
func TestLayoutMatchesCilium(t *testing.T) {
	got, err := kernelLayout()
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("no kernel BTF here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		t.Fatal(err)
	}
	var fn *btf.Func
	if err := spec.TypeByName(attachFunc, &fn); err != nil {
		t.Fatal(err)
	}
	id, err := spec.TypeID(fn)
	if err != nil {
		t.Fatal(err)
	}
	if uint32(id) != got.attachID {
		t.Errorf("attach ID %d, cilium/ebpf says %d", got.attachID, id)
	}
	var want layout
	proto := fn.Type.(*btf.FuncProto)
	for _, p := range want.params() {
		for i, param := range proto.Params {
			if param.Name == p.path[0] {
				*p.dst = field{off: int16(8 * i), size: uint8(sizeof(t, param.Type))}
			}
		}
	}
	for _, s := range want.fields() {
		*s.dst = oracleField(t, spec, s.path)
	}
	want.attachID = got.attachID
	if got != want {
		t.Errorf("layout\n%+v\ncilium/ebpf says\n%+v", got, want)
	}
}

// oracleField finds a field with cilium/ebpf's types: the struct named
// path[0], then each member by name, in anonymous members too.
func oracleField(t *testing.T, spec *btf.Spec, path []string) field {
	t.Helper()
	var st *btf.Struct
	if err := spec.TypeByName(path[0], &st); err != nil {
		t.Fatalf("%v: %v", path, err)
	}
	var typ btf.Type = st
	var off btf.Bits
	for _, name := range path[1:] {
		m, ok := findMember(btf.UnderlyingType(typ), name)
		if !ok {
			t.Fatalf("%v: no member %s", path, name)
		}
		off += m.Offset
		typ = m.Type
	}
	return field{off: int16(off / 8), size: uint8(sizeof(t, typ))}
}

// findMember finds name among the members of a struct or union, looking
// into anonymous members; the offset counts from its start.
func findMember(typ btf.Type, name string) (btf.Member, bool) {
	var members []btf.Member
	switch c := typ.(type) {
	case *btf.Struct:
		members = c.Members
	case *btf.Union:
		members = c.Members
	}
	for _, m := range members {
		if m.Name == name {
			return m, true
		}
	}
	for _, m := range members {
		if m.Name != "" {
			continue
		}
		if inner, ok := findMember(btf.UnderlyingType(m.Type), name); ok {
			inner.Offset += m.Offset
			return inner, true
		}
	}
	return btf.Member{}, false
}

// sizeof is cilium/ebpf's size of typ.
func sizeof(t *testing.T, typ btf.Type) int {
	t.Helper()
	n, err := btf.Sizeof(typ)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// BenchmarkReadLayout reads this kernel's BTF as Load does: its time and
// the bytes it allocates.
func BenchmarkReadLayout(b *testing.B) {
	if _, err := os.Stat(vmlinuxBTF); err != nil {
		b.Skipf("no kernel BTF here: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kernelLayout(); err != nil {
			b.Fatal(err)
		}
	}
}

package taskfd

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"testing"
)

// headerLayout is the layout taskfd.h declares, whose offsets clang
// writes into the objects before CO-RE relocates them: every field first
// in its struct but i_ino, after the 2-byte i_mode and padding.
func headerLayout() layout {
	return layout{
		ctxMeta: field{0, 8}, ctxTask: field{8, 8}, ctxFD: field{16, 4}, ctxFile: field{24, 8},
		seq: field{0, 8}, tgid: field{0, 4}, fileInode: field{0, 8},
		iIno: field{8, 8}, sk: field{0, 8}, state: field{0, 1},
	}
}

// TestProgramMatchesClang encodes the program for taskfd.h's layout in
// both byte orders and compares it, byte for byte, with the program
// section of the object clang compiled from taskfd.bpf.c for that order.
// The immediates of ld_imm64 (a map's descriptor, an offset in its value)
// are relocations in the object, zeros until a loader fills them, and the
// source register says which kind: those are compared as zeros. When
// another clang compiles the source otherwise (go generate), this test
// fails, and program follows the new object.
func TestProgramMatchesClang(t *testing.T) {
	insns, err := program(headerLayout(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		object string
		order  binary.AppendByteOrder
	}{{"taskfd_bpfel_test.o", binary.LittleEndian}, {"taskfd_bpfeb_test.o", binary.BigEndian}} {
		f, err := elf.Open(c.object)
		if err != nil {
			t.Fatal(err)
		}
		want, err := f.Section("iter/task_file").Data()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		got := encode(withoutRelocations(insns), c.order)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: the program differs from clang's:\n%s", c.object, insnDiff(got, want))
		}
	}
}

// withoutRelocations returns insns with the map references of ld_imm64
// as an unrelocated object holds them.
func withoutRelocations(insns []insn) []insn {
	out := make([]insn, len(insns))
	copy(out, insns)
	for i := range out {
		if out[i].op == classLD|modeIMM|sizeDW {
			out[i].src, out[i].imm, out[i+1].imm = 0, 0, 0
		}
	}
	return out
}

// insnDiff lists the instructions that differ, by index.
func insnDiff(got, want []byte) string {
	var b bytes.Buffer
	for i := 0; i < max(len(got), len(want)); i += insnLen {
		g, w := got[min(i, len(got)):min(i+insnLen, len(got))], want[min(i, len(want)):min(i+insnLen, len(want))]
		if !bytes.Equal(g, w) {
			fmt.Fprintf(&b, "%d: %x, clang %x\n", i/insnLen, g, w)
		}
	}
	return b.String()
}

package taskfd

import (
	"encoding/binary"
	"fmt"
)

// The instruction encoding of include/uapi/linux/bpf_common.h and bpf.h:
// the class, size, mode and operation bits of an opcode.
const (
	classLD    = 0x00
	classLDX   = 0x01
	classSTX   = 0x03
	classJMP   = 0x05
	classALU64 = 0x07

	sizeW  = 0x00
	sizeH  = 0x08
	sizeB  = 0x10
	sizeDW = 0x18

	modeIMM = 0x00
	modeMEM = 0x60

	srcK = 0x00
	srcX = 0x08

	aluADD = 0x00
	aluLSH = 0x60
	aluRSH = 0x70
	aluAND = 0x50
	aluMOV = 0xb0

	jmpJEQ  = 0x10
	jmpJGT  = 0x20
	jmpJNE  = 0x50
	jmpCALL = 0x80
	jmpEXIT = 0x90

	// pseudoMapFD and pseudoMapValue mark the source register of an
	// ld_imm64 whose immediate is a map's descriptor: the register gets
	// the map, or a pointer into its first value at the second immediate.
	pseudoMapFD    = 1
	pseudoMapValue = 2
)

// The registers: r0 holds return values, r1-r5 arguments (a call
// clobbers them), r6-r9 survive calls, r10 is the frame pointer.
const (
	r0 uint8 = iota
	r1
	r2
	r3
	r4
	r5
	r6
	r7
	r8
	r9
	r10
)

// insnLen is the size of struct bpf_insn.
const insnLen = 8

// insn is one instruction (struct bpf_insn).
type insn struct {
	op       uint8
	dst, src uint8
	off      int16
	imm      int32
}

// sizeOf returns the size bits of a load or store of n bytes.
func sizeOf(n uint8) (uint8, error) {
	switch n {
	case 1:
		return sizeB, nil
	case 2:
		return sizeH, nil
	case 4:
		return sizeW, nil
	case 8:
		return sizeDW, nil
	}
	return 0, fmt.Errorf("no load of %d bytes", n)
}

// ldx loads the n bytes at src+off into dst.
func ldx(size uint8, dst, src uint8, off int16) insn {
	return insn{op: classLDX | modeMEM | size, dst: dst, src: src, off: off}
}

// stx stores the low bytes of src at dst+off.
func stx(size uint8, dst, src uint8, off int16) insn {
	return insn{op: classSTX | modeMEM | size, dst: dst, src: src, off: off}
}

// alu is a 64-bit operation of dst with imm.
func alu(op, dst uint8, imm int32) insn {
	return insn{op: classALU64 | op | srcK, dst: dst, imm: imm}
}

// aluX is a 64-bit operation of dst with src.
func aluX(op, dst, src uint8) insn {
	return insn{op: classALU64 | op | srcX, dst: dst, src: src}
}

// call calls the helper numbered fn.
func call(fn int32) insn { return insn{op: classJMP | jmpCALL, imm: fn} }

// exit returns r0.
func exit() insn { return insn{op: classJMP | jmpEXIT} }

// ldMap loads a map's descriptor (pseudoMapFD) or the address of its first
// value plus off (pseudoMapValue) into dst: two instructions.
func ldMap(pseudo, dst uint8, fd int, off int32) []insn {
	return []insn{
		{op: classLD | modeIMM | sizeDW, dst: dst, src: pseudo, imm: int32(fd)},
		{imm: off},
	}
}

// encode writes the instructions in the byte order of the machine whose
// program they are: the register nibbles swap with it.
func encode(insns []insn, order binary.AppendByteOrder) []byte {
	out := make([]byte, 0, len(insns)*insnLen)
	bigEndian := order.AppendUint16(nil, 1)[0] == 0
	for _, in := range insns {
		regs := in.dst&0xf | in.src<<4
		if bigEndian {
			regs = in.dst<<4 | in.src&0xf
		}
		out = append(out, in.op, regs)
		out = order.AppendUint16(out, uint16(in.off))
		out = order.AppendUint32(out, uint32(in.imm))
	}
	return out
}

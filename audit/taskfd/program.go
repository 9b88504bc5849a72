package taskfd

import (
	"fmt"
	"slices"
)

// The helpers the program calls (include/uapi/linux/bpf.h,
// __BPF_FUNC_MAPPER).
const (
	helperMapLookupElem = 1
	helperSeqWrite      = 127
	helperSockFromFile  = 162
)

// recordLen is the size of the record the program writes per descriptor:
// tgid, fd, inode and 4 bytes of padding, each a native-endian uint32.
const recordLen = 16

// The program's stack: the inode (the map's key), then the record, 8-byte
// aligned below it, as clang places them.
const (
	slotIno    = -4
	slotRecord = -8 - recordLen
)

// The states map's value: the states reported whole, then those looked up
// (States), each a uint32.
const (
	statesReport = 0
	statesLookup = 4
	statesLen    = 8
)

// program returns the task_file program for a kernel of layout l: the
// instructions clang makes of taskfd.bpf.c (its objects are the tests'
// reference), each load as wide as its field and with the null tests the
// verifier asks for (docs/kernel-facts.md §46, §47); states and wanted are
// the descriptors of the states array and the inode hash.
func program(l layout, states, wanted int) ([]insn, error) {
	var b builder
	b.add(aluX(aluMOV, r6, r1))
	b.load(r8, r6, l.ctxTask) // task
	b.load(r7, r6, l.ctxFile) // file
	b.jump(jmpJEQ, r7, 0, "out")
	b.jump(jmpJEQ, r8, 0, "out")
	b.add(aluX(aluMOV, r1, r7))
	b.add(call(helperSockFromFile)) // NULL for a file that is not a socket
	b.jump(jmpJEQ, r0, 0, "out")
	b.load(r1, r0, l.sk)
	b.jump(jmpJEQ, r1, 0, "out")
	b.load(r1, r0, l.sk)
	b.load(r1, r1, l.state) // sk->__sk_common.skc_state
	b.jump(jmpJGT, r1, 31, "out")
	b.add(alu(aluMOV, r2, 1), aluX(aluLSH, r2, r1)) // the state's bit
	b.add(ldMap(pseudoMapValue, r1, states, statesReport)...)
	b.add(ldx(sizeW, r1, r1, 0), aluX(aluAND, r1, r2))
	b.add(aluX(aluMOV, r3, r1), alu(aluLSH, r3, 32), alu(aluRSH, r3, 32))
	b.jump(jmpJNE, r3, 0, "inode") // a state reported whole
	b.add(ldMap(pseudoMapValue, r3, states, statesLookup)...)
	b.add(ldx(sizeW, r3, r3, 0), aluX(aluAND, r3, r2))
	b.add(alu(aluLSH, r3, 32), alu(aluRSH, r3, 32))
	b.jump(jmpJEQ, r3, 0, "out")
	b.mark("inode") // r1 is the state's bit among those reported whole
	b.load(r2, r7, l.fileInode)
	b.jump(jmpJEQ, r2, 0, "out")
	b.load(r2, r2, l.iIno)
	b.add(stx(sizeW, r10, r2, slotIno))
	b.add(alu(aluLSH, r1, 32), alu(aluRSH, r1, 32))
	b.jump(jmpJNE, r1, 0, "record")
	b.add(aluX(aluMOV, r2, r10), alu(aluADD, r2, slotIno))
	b.add(ldMap(pseudoMapFD, r1, wanted, 0)...)
	b.add(call(helperMapLookupElem))
	b.jump(jmpJEQ, r0, 0, "out")
	b.add(ldx(sizeW, r2, r10, slotIno))
	b.mark("record") // r2 is the inode
	b.load(r1, r8, l.tgid)
	b.add(stx(sizeW, r10, r1, slotRecord))
	b.load(r1, r6, l.ctxFD)
	b.add(stx(sizeW, r10, r1, slotRecord+4))
	b.add(alu(aluMOV, r1, 0), stx(sizeW, r10, r1, slotRecord+12))
	b.add(stx(sizeW, r10, r2, slotRecord+8))
	b.load(r1, r6, l.ctxMeta)
	b.load(r1, r1, l.seq)
	b.add(aluX(aluMOV, r2, r10), alu(aluADD, r2, slotRecord), alu(aluMOV, r3, recordLen))
	b.add(call(helperSeqWrite))
	b.mark("out")
	b.add(alu(aluMOV, r0, 0), exit())
	return b.done()
}

// builder assembles instructions with jumps forward to named marks.
type builder struct {
	insns []insn
	jumps map[int]string // the index of a jump, its mark
	marks map[string]int
	err   error
}

// add appends instructions.
func (b *builder) add(insns ...insn) { b.insns = append(b.insns, insns...) }

// load loads field f of the pointer in src into dst.
func (b *builder) load(dst, src uint8, f field) {
	size, err := sizeOf(f.size)
	if err != nil && b.err == nil {
		b.err = err
	}
	b.add(ldx(size, dst, src, f.off))
}

// jump appends a jump to mark when dst op imm.
func (b *builder) jump(op, dst uint8, imm int32, mark string) {
	if b.jumps == nil {
		b.jumps = map[int]string{}
	}
	b.jumps[len(b.insns)] = mark
	b.add(insn{op: classJMP | op | srcK, dst: dst, imm: imm})
}

// mark names the position of the next instruction.
func (b *builder) mark(name string) {
	if b.marks == nil {
		b.marks = map[string]int{}
	}
	b.marks[name] = len(b.insns)
}

// done resolves the jumps: an offset counts from the next instruction.
func (b *builder) done() ([]insn, error) {
	if b.err != nil {
		return nil, b.err
	}
	insns := slices.Clone(b.insns)
	for i, name := range b.jumps {
		to, ok := b.marks[name]
		if !ok {
			return nil, fmt.Errorf("jump %d to no mark %q", i, name)
		}
		insns[i].off = int16(to - i - 1)
	}
	return insns, nil
}

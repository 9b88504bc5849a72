package taskfd

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// The kernel's BTF (docs/kernel-facts.md §45) is read in passes over the
// file, never held whole: one over the string section for the offsets of
// the names the program needs, then a few over the type section that keep
// only the types those names lead to.

// btfMagic opens every BTF blob, in the byte order of its producer.
const btfMagic = 0xeB9F

// btfHeaderLen is the size of struct btf_header (version 1).
const btfHeaderLen = 24

// maxBTFHeaderLen bounds hdr_len: later versions may add fields, but not
// pages of them.
const maxBTFHeaderLen = 4096

// passBuffer is the read buffer of each pass over a section.
const passBuffer = 32 << 10

// errBTF marks a BTF blob that is malformed or lacks what the program
// needs; Load wraps it in ErrUnavailable.
var errBTF = errors.New("kernel BTF")

// btfFile is a BTF blob's header: its byte order and where its sections
// lie, as absolute offsets in the file.
type btfFile struct {
	r                  io.ReaderAt
	order              binary.ByteOrder
	typeStart, typeLen int64
	strStart, strLen   int64
	br                 *bufio.Reader
}

// openBTF reads the header of the BTF blob of size bytes in r and checks
// that its sections lie inside it.
func openBTF(r io.ReaderAt, size int64) (*btfFile, error) {
	var h [btfHeaderLen]byte
	if size < btfHeaderLen {
		return nil, fmt.Errorf("%w: %d bytes, shorter than a header", errBTF, size)
	}
	if _, err := r.ReadAt(h[:], 0); err != nil {
		return nil, fmt.Errorf("%w: read the header: %w", errBTF, err)
	}
	f := &btfFile{r: r}
	switch {
	case binary.LittleEndian.Uint16(h[:]) == btfMagic:
		f.order = binary.LittleEndian
	case binary.BigEndian.Uint16(h[:]) == btfMagic:
		f.order = binary.BigEndian
	default:
		return nil, fmt.Errorf("%w: magic %#x, want %#x", errBTF, binary.LittleEndian.Uint16(h[:]), btfMagic)
	}
	if h[2] != 1 {
		return nil, fmt.Errorf("%w: version %d, want 1", errBTF, h[2])
	}
	u := func(i int) int64 { return int64(f.order.Uint32(h[i:])) }
	hdrLen := u(4)
	if hdrLen < btfHeaderLen || hdrLen > maxBTFHeaderLen {
		return nil, fmt.Errorf("%w: header length %d", errBTF, hdrLen)
	}
	f.typeStart, f.typeLen = hdrLen+u(8), u(12)
	f.strStart, f.strLen = hdrLen+u(16), u(20)
	for _, s := range []struct {
		name       string
		start, len int64
	}{{"type", f.typeStart, f.typeLen}, {"string", f.strStart, f.strLen}} {
		if s.start+s.len > size {
			return nil, fmt.Errorf("%w: %s section [%d, %d) past the end (%d bytes)", errBTF, s.name, s.start, s.start+s.len, size)
		}
	}
	return f, nil
}

// section returns a buffered reader of n bytes from start; each pass
// reuses the buffer of the one before.
func (f *btfFile) section(start, n int64) *bufio.Reader {
	if f.br == nil {
		f.br = bufio.NewReaderSize(nil, passBuffer)
	}
	f.br.Reset(io.NewSectionReader(f.r, start, n))
	return f.br
}

// maxNameLen bounds the names looked for, so that a long string of the
// section is followed by its tail alone.
const maxNameLen = 64

// nameAt is an offset of the string section at which one of the query's
// names starts and runs to a NUL, and the index of that name.
type nameAt struct {
	off  uint32
	name int
}

// findNames reads the string section once and returns the offsets of
// names, in order. A name may begin inside a longer string (a producer
// may share tails), so the short ones match the ends of many.
func (f *btfFile) findNames(names []string) ([]nameAt, error) {
	br := f.section(f.strStart, f.strLen)
	var found []nameAt
	var byLast [256][]int // the names ending in each byte
	for i, name := range names {
		if name != "" {
			byLast[name[len(name)-1]] = append(byLast[name[len(name)-1]], i)
		}
	}
	var tail []byte // the end of the string being read, at most maxNameLen bytes
	pos := int64(0) // the offset of the next byte br returns
	for {
		chunk, err := br.ReadSlice(0)
		pos += int64(len(chunk))
		switch {
		case err == nil:
			s := chunk[:len(chunk)-1]
			if len(tail) > 0 {
				s = append(tail, s...)
			}
			end := uint32(pos - 1) // the NUL's offset
			if len(s) > 0 {
				for _, i := range byLast[s[len(s)-1]] {
					if n := len(names[i]); n <= len(s) && string(s[len(s)-n:]) == names[i] {
						found = append(found, nameAt{end - uint32(n), i})
					}
				}
			}
			tail = tail[:0]
		case errors.Is(err, bufio.ErrBufferFull):
			tail = append(tail, chunk...)
			tail = tail[max(0, len(tail)-maxNameLen):]
		case errors.Is(err, io.EOF):
			// The unterminated end of the section names nothing.
			slices.SortFunc(found, func(a, b nameAt) int { return cmp.Compare(a.off, b.off) })
			return found, nil
		default:
			return nil, fmt.Errorf("%w: read the string section: %w", errBTF, err)
		}
	}
}

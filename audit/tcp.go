package audit

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"net/netip"
)

// maxLineLen bounds one line of /proc/net/tcp{,6}; kernel lines are under
// 200 bytes.
const maxLineLen = 4096

// ParseTCP streams a /proc/net/tcp (ipv6 false) or /proc/net/tcp6 (ipv6
// true) file into the census. It allocates nothing per line. Errors carry the
// line number; the caller adds the file name.
func ParseTCP(r io.Reader, ipv6 bool, c *Census) error {
	return ScanTCP(r, ipv6, c.Add)
}

// ScanTCP streams the socket lines of a /proc/net/tcp or tcp6 file to fn,
// one reused Socket at a time (fn must not keep it). Errors carry the line
// number.
func ScanTCP(r io.Reader, ipv6 bool, fn func(*Socket)) error {
	br := bufio.NewReaderSize(r, 64*1024)
	var s Socket
	for line := 1; ; line++ {
		b, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) || len(b) > maxLineLen {
			return &ParseError{Line: line, Err: malformed("line longer than %d bytes", maxLineLen)}
		}
		if len(b) == 0 && err != nil {
			if err == io.EOF {
				if line == 1 {
					return &ParseError{Line: 1, Err: malformed("empty file, expected the header line")}
				}
				return nil
			}
			return &ParseError{Line: line, Err: err}
		}
		if line == 1 {
			if !bytes.HasPrefix(bytes.TrimLeft(b, " "), []byte("sl")) {
				return &ParseError{Line: 1, Err: malformed("expected the header line starting with \"sl\"")}
			}
		} else if len(bytes.TrimSpace(b)) > 0 {
			if perr := parseTCPLine(b, ipv6, &s); perr != nil {
				return &ParseError{Line: line, Err: perr}
			}
			fn(&s)
		}
		if err == io.EOF {
			return nil
		} else if err != nil {
			return &ParseError{Line: line, Err: err}
		}
	}
}

// parseTCPLine fills s from one socket line (docs/kernel-facts.md §1). Only the
// columns through inode are required; TIME_WAIT and request socks print
// fewer trailing columns than full sockets.
func parseTCPLine(b []byte, ipv6 bool, s *Socket) error {
	var f fields
	f.b = b
	sl := f.next()
	if len(sl) < 2 || sl[len(sl)-1] != ':' {
		return malformed("column 1 (sl) %q: want a number followed by ':'", sl)
	}
	var err error
	if s.Local, s.LocalPort, err = parseEndpoint(f.next(), ipv6); err != nil {
		return malformed("column 2 (local_address): %v", err)
	}
	if s.Remote, s.RemotePort, err = parseEndpoint(f.next(), ipv6); err != nil {
		return malformed("column 3 (rem_address): %v", err)
	}
	st, ok := hexUint(f.next(), 2)
	if !ok {
		return malformed("column 4 (st): want 2 hex digits")
	}
	s.State = State(st)
	_, rx, ok := hexPair(f.next(), 8, 8)
	if !ok {
		return malformed("column 5 (tx_queue:rx_queue): want 8 hex digits:8 hex digits")
	}
	s.RxQueue = uint32(rx)
	if _, _, ok := hexPair(f.next(), 2, 8); !ok {
		return malformed("column 6 (tr:tm->when): want 2 hex digits:8 hex digits")
	}
	if _, ok := hexUint(f.next(), 8); !ok {
		return malformed("column 7 (retrnsmt): want 8 hex digits")
	}
	if _, ok := decUint(f.next()); !ok {
		return malformed("column 8 (uid): want a decimal number")
	}
	if _, ok := decInt(f.next()); !ok {
		return malformed("column 9 (timeout): want a decimal number")
	}
	if s.Inode, ok = decUint(f.next()); !ok {
		return malformed("column 10 (inode): want a decimal number")
	}
	if s.Inode > math.MaxUint32 {
		// get_next_ino is 32-bit (docs/kernel-facts.md §27): no kernel prints more.
		return malformed("column 10 (inode) %d: socket inodes are 32-bit", s.Inode)
	}
	s.Backlog = 0
	return nil
}

// fields splits a line on spaces without allocating.
type fields struct {
	b []byte
	i int
}

func (f *fields) next() []byte {
	for f.i < len(f.b) && isSpace(f.b[f.i]) {
		f.i++
	}
	start := f.i
	for f.i < len(f.b) && !isSpace(f.b[f.i]) {
		f.i++
	}
	return f.b[start:f.i]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// parseEndpoint decodes ADDR:PORT. Each 8-digit group of ADDR is a 32-bit
// word printed in host byte order (docs/kernel-facts.md §1), so its bytes are laid
// out in native order to recover the address; the port is plain hex.
func parseEndpoint(b []byte, ipv6 bool) (netip.Addr, uint16, error) {
	words := 1
	if ipv6 {
		words = 4
	}
	if len(b) != words*8+5 || b[words*8] != ':' {
		return netip.Addr{}, 0, errors.New("want hex address, ':' and 4 hex digits")
	}
	var raw [16]byte
	for i := 0; i < words; i++ {
		w, ok := hexUint(b[i*8:i*8+8], 8)
		if !ok {
			return netip.Addr{}, 0, errors.New("address is not hex")
		}
		binary.NativeEndian.PutUint32(raw[i*4:], uint32(w))
	}
	port, ok := hexUint(b[words*8+1:], 4)
	if !ok {
		return netip.Addr{}, 0, errors.New("port is not 4 hex digits")
	}
	if ipv6 {
		return netip.AddrFrom16(raw), uint16(port), nil
	}
	return netip.AddrFrom4([4]byte(raw[:4])), uint16(port), nil
}

// hexPair decodes A:B with exactly na and nb hex digits.
func hexPair(b []byte, na, nb int) (uint64, uint64, bool) {
	if len(b) != na+1+nb || b[na] != ':' {
		return 0, 0, false
	}
	x, ok1 := hexUint(b[:na], na)
	y, ok2 := hexUint(b[na+1:], nb)
	return x, y, ok1 && ok2
}

// hexUint decodes exactly n hex digits (upper or lower case).
func hexUint(b []byte, n int) (uint64, bool) {
	if len(b) != n {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		default:
			return 0, false
		}
		v = v<<4 | uint64(d)
	}
	return v, true
}

// decUint decodes a decimal number that fits in a uint64; a wrap past 2^64
// is rejected before it happens (checking n < v misses most of them).
func decUint(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	const maxUint = 1<<64 - 1
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (maxUint-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

func decInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	v, ok := decUint(b)
	if !ok || v > 1<<63-1 {
		return 0, false
	}
	if neg {
		return -int64(v), true
	}
	return int64(v), true
}

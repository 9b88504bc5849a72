package audit_test

import (
	"bytes"
	"math"
	"strconv"

	"github.com/tcpaudit/tcpaudit/audit"
)

// tcpOracle is a second, deliberately plain reading of a /proc/net/tcp file
// (strconv and bytes, no care for allocations), used by FuzzParseTCP to
// check ParseTCP line by line.
type tcpOracle struct {
	errLine   int
	states    map[audit.State]int
	unknown   int
	closeWait map[uint64]bool
	listen    []uint16
	ephemeral int
	ephTW     int
}

// oracleMaxLine mirrors the parser's documented line bound.
const oracleMaxLine = 4096

func oracleParseTCP(data []byte, ipv6 bool, low, high uint16) tcpOracle {
	o := tcpOracle{states: map[audit.State]int{}, closeWait: map[uint64]bool{}}
	listening := map[uint16]bool{}
	if len(data) == 0 {
		o.errLine = 1
		return o
	}
	for n := 1; len(data) > 0; n++ {
		raw := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw = data[:i+1]
		}
		data = data[len(raw):]
		switch {
		case len(raw) > oracleMaxLine:
			o.errLine = n
		case n == 1:
			if !bytes.HasPrefix(bytes.TrimLeft(raw, " "), []byte("sl")) {
				o.errLine = n
			}
		case len(bytes.TrimSpace(raw)) == 0:
			continue
		default:
			s, ok := oracleLine(raw, ipv6)
			if !ok {
				o.errLine = n
				break
			}
			o.add(s, listening, low, high)
		}
		if o.errLine != 0 {
			return o
		}
	}
	return o
}

type oracleSocket struct {
	state     audit.State
	localPort uint16
	inode     uint64
}

func (o *tcpOracle) add(s oracleSocket, listening map[uint16]bool, low, high uint16) {
	if s.state == 0 || s.state > audit.BoundInactive {
		o.unknown++
		return
	}
	o.states[s.state]++
	if s.state == audit.Listen {
		listening[s.localPort] = true
		o.listen = append(o.listen, s.localPort)
		return
	}
	if s.state == audit.CloseWait && s.inode != 0 {
		o.closeWait[s.inode] = true
	}
	if s.localPort >= low && s.localPort <= high && !listening[s.localPort] {
		o.ephemeral++
		if s.state == audit.TimeWait {
			o.ephTW++
		}
	}
}

func oracleLine(raw []byte, ipv6 bool) (oracleSocket, bool) {
	f := bytes.FieldsFunc(raw, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' })
	if len(f) < 10 || len(f[0]) < 2 || f[0][len(f[0])-1] != ':' {
		return oracleSocket{}, false
	}
	words := 1
	if ipv6 {
		words = 4
	}
	var s oracleSocket
	port, ok1 := oracleEndpoint(string(f[1]), words)
	_, ok2 := oracleEndpoint(string(f[2]), words)
	st, ok3 := oracleHex(string(f[3]), 2)
	ok4 := oracleHexPair(string(f[4]), 8, 8)
	ok5 := oracleHexPair(string(f[5]), 2, 8)
	_, ok6 := oracleHex(string(f[6]), 8)
	_, err7 := strconv.ParseUint(string(f[7]), 10, 64)
	ok8 := oracleSigned(string(f[8]))
	inode, err9 := strconv.ParseUint(string(f[9]), 10, 32)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || err7 != nil || !ok8 || err9 != nil {
		return s, false
	}
	s.state, s.localPort, s.inode = audit.State(st), port, inode
	return s, true
}

func oracleEndpoint(s string, words int) (uint16, bool) {
	if len(s) != words*8+5 || s[words*8] != ':' {
		return 0, false
	}
	for i := range words {
		if _, ok := oracleHex(s[i*8:i*8+8], 8); !ok {
			return 0, false
		}
	}
	p, ok := oracleHex(s[words*8+1:], 4)
	return uint16(p), ok
}

func oracleHex(s string, n int) (uint64, bool) {
	if len(s) != n {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 16, 64)
	return v, err == nil
}

func oracleHexPair(s string, na, nb int) bool {
	if len(s) != na+1+nb || s[na] != ':' {
		return false
	}
	_, ok1 := oracleHex(s[:na], na)
	_, ok2 := oracleHex(s[na+1:], nb)
	return ok1 && ok2
}

// oracleSigned accepts an optional '-' and digits within int64 range, the
// timeout column's format (%8d).
func oracleSigned(s string) bool {
	digits := s
	if len(s) > 0 && s[0] == '-' {
		digits = s[1:]
	}
	v, err := strconv.ParseUint(digits, 10, 64)
	return err == nil && v <= math.MaxInt64
}

package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
)

// sysctlInt returns the first integer field of a key.
func sysctlInt(f *audit.Facts, key string) (int64, bool) {
	v, err := f.SysctlInts(key)
	if err != nil {
		return 0, false
	}
	return v[0], true
}

// atLeast reports whether share of limit has been reached; a non-positive
// limit is never reached.
func atLeast(value, limit int64, share float64) bool {
	return limit > 0 && float64(value) >= share*float64(limit)
}

// oneOf reports whether v is in set.
func oneOf(v int64, set []int64) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}

// pct formats value/limit as a percentage.
func pct(value, limit int64) string {
	if limit <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(value)/float64(limit))
}

// joinInts formats a set of accepted values: "1 or 2".
func joinInts(v []int64) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.FormatInt(n, 10)
	}
	return joinOr(s)
}

// joinOr joins alternatives as prose: "a, b or c".
func joinOr(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// portSet is a set of ports as ip_local_reserved_ports prints it:
// "1,2-4,10-10" (docs/kernel-facts.md §7).
type portSet [65536 / 64]uint64

func parsePortSet(s string) (*portSet, error) {
	var p portSet
	s = strings.TrimSpace(s)
	if s == "" {
		return &p, nil
	}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.ParseUint(lo, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("port list %q: %w", s, err)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(hi, 10, 16); err != nil || b < a {
				return nil, fmt.Errorf("port list %q: bad range %q", s, part)
			}
		}
		for port := a; port <= b; port++ {
			p.add(uint16(port))
		}
	}
	return &p, nil
}

func (p *portSet) add(port uint16)      { p[port/64] |= 1 << (port % 64) }
func (p *portSet) has(port uint16) bool { return p[port/64]&(1<<(port%64)) != 0 }

// String renders the set in the kernel's format.
func (p *portSet) String() string {
	var parts []string
	for port := 0; port < 65536; port++ {
		if !p.has(uint16(port)) {
			continue
		}
		end := port
		for end+1 < 65536 && p.has(uint16(end+1)) {
			end++
		}
		if end == port {
			parts = append(parts, strconv.Itoa(port))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", port, end))
		}
		port = end
	}
	return strings.Join(parts, ",")
}

// portRange reads ip_local_port_range.
func portRange(f *audit.Facts) (lo, hi int64, ok bool) {
	r, err := f.SysctlInts(keyPortRange)
	if err != nil || len(r) != 2 || r[0] > r[1] {
		return 0, 0, false
	}
	return r[0], r[1], true
}

// usablePorts is what connect() can choose from: the range minus reserved
// ports and ports owned by bind() (listeners), docs/kernel-facts.md §7.
func usablePorts(f *audit.Facts) (int64, bool) {
	lo, hi, ok := portRange(f)
	if !ok {
		return 0, false
	}
	reserved, _ := parsePortSet(f.Sysctls[keyReservedPorts])
	if reserved == nil {
		reserved = &portSet{}
	}
	n := hi - lo + 1
	for port := lo; port <= hi; port++ {
		p := uint16(port)
		if reserved.has(p) || (f.Census != nil && f.Census.IsListening(p)) {
			n--
		}
	}
	return n, true
}

// plural renders "1 process", "2 processes", "3 CLOSE_WAIT sockets".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	if strings.HasSuffix(noun, "s") {
		return fmt.Sprintf("%d %ses", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

package audit

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// Counters holds the kernel counters of /proc/net/netstat or /proc/net/snmp,
// keyed by section ("TcpExt", "Tcp") and then by counter name.
type Counters map[string]map[string]int64

// Get returns a counter and whether it was present.
func (c Counters) Get(section, name string) (int64, bool) {
	v, ok := c[section][name]
	return v, ok
}

// ParseCounters reads the paired-line format of /proc/net/netstat and
// /proc/net/snmp: a line "Section: name name ..." followed by a line
// "Section: value value ..." with as many values as names.
func ParseCounters(r io.Reader) (Counters, error) {
	out := make(Counters)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 8*1024), 1<<20) // grows for a longer line: read in every namespace audited
	line := 0
	for sc.Scan() {
		line++
		names := strings.Fields(sc.Text())
		if len(names) == 0 {
			continue
		}
		section, ok := strings.CutSuffix(names[0], ":")
		if !ok {
			return nil, &ParseError{Line: line, Err: malformed("expected \"Section:\" at the start of the line")}
		}
		if !sc.Scan() {
			return nil, &ParseError{Line: line, Err: malformed("section %s has a name line but no value line", section)}
		}
		line++
		values := strings.Fields(sc.Text())
		if len(values) == 0 || values[0] != names[0] {
			return nil, &ParseError{Line: line, Err: malformed("expected the value line of section %s", section)}
		}
		if len(values) != len(names) {
			return nil, &ParseError{Line: line, Err: malformed("section %s has %d names but %d values", section, len(names)-1, len(values)-1)}
		}
		m := make(map[string]int64, len(names)-1)
		for i := 1; i < len(names); i++ {
			v, err := strconv.ParseInt(values[i], 10, 64)
			if err != nil {
				u, uerr := strconv.ParseUint(values[i], 10, 64)
				if uerr != nil {
					return nil, &ParseError{Line: line, Err: malformed("counter %s %s: %q is not a number", section, names[i], values[i])}
				}
				v = int64(min(u, 1<<63-1))
			}
			m[names[i]] = v
		}
		out[section] = m
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{Line: line + 1, Err: err}
	}
	return out, nil
}

// Sockstat holds /proc/net/sockstat and sockstat6 as protocol → field →
// value ("TCP" → "tw" → 12). TCP mem is in pages.
type Sockstat map[string]map[string]int64

// Get returns a field and whether it was present.
func (s Sockstat) Get(proto, field string) (int64, bool) {
	v, ok := s[proto][field]
	return v, ok
}

// ParseSockstat reads lines of the form "PROTO: key value key value ..." into
// s, so sockstat and sockstat6 can share one map.
func ParseSockstat(r io.Reader, s Sockstat) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64*1024)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		proto, ok := strings.CutSuffix(f[0], ":")
		if !ok || len(f)%2 != 1 {
			return &ParseError{Line: line, Err: malformed("expected \"PROTO: key value ...\"")}
		}
		m := make(map[string]int64, len(f)/2)
		for i := 1; i < len(f); i += 2 {
			v, err := strconv.ParseInt(f[i+1], 10, 64)
			if err != nil {
				return &ParseError{Line: line, Err: malformed("%s %s: %q is not a number", proto, f[i], f[i+1])}
			}
			m[f[i]] = v
		}
		s[proto] = m
	}
	if err := sc.Err(); err != nil {
		return &ParseError{Line: line + 1, Err: err}
	}
	return nil
}

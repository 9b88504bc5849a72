package audit

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// SourceConntrack is netfilter's connection-tracking table: the per-CPU
// statistics in net/stat/nf_conntrack and the net.netfilter.nf_conntrack_*
// sysctls (ConntrackKeys).
const SourceConntrack Source = "net/stat/nf_conntrack"

// The conntrack sysctls the audit reads. Count and the TCP timeouts are per
// network namespace; max and buckets are global, set in the initial one and
// read-only elsewhere, and each namespace's own count is compared with max
// (docs/kernel-facts.md §22).
const (
	KeyConntrackCount   = "net.netfilter.nf_conntrack_count"
	KeyConntrackMax     = "net.netfilter.nf_conntrack_max"
	KeyConntrackBuckets = "net.netfilter.nf_conntrack_buckets"
)

// ConntrackTCPStates are the conntrack TCP states with a timeout sysctl
// net.netfilter.nf_conntrack_tcp_timeout_<state>, in the order of the
// kernel's tcp_conntrack enum.
func ConntrackTCPStates() []string {
	return []string{"syn_sent", "syn_recv", "established", "fin_wait", "close_wait",
		"last_ack", "time_wait", "close", "max_retrans", "unacknowledged"}
}

// ConntrackKeys lists every conntrack sysctl the audit reads.
func ConntrackKeys() []string {
	keys := []string{KeyConntrackCount, KeyConntrackMax, KeyConntrackBuckets,
		"net.netfilter.nf_conntrack_tcp_loose", "net.netfilter.nf_conntrack_tcp_be_liberal"}
	for _, s := range ConntrackTCPStates() {
		keys = append(keys, ConntrackTimeoutKey(s))
	}
	return keys
}

// ConntrackTimeoutKey returns the timeout sysctl of a conntrack TCP state
// ("time_wait" → net.netfilter.nf_conntrack_tcp_timeout_time_wait).
func ConntrackTimeoutKey(state string) string {
	return "net.netfilter.nf_conntrack_tcp_timeout_" + state
}

// Conntrack is what the connection-tracking table showed.
type Conntrack struct {
	// Sysctls holds the ConntrackKeys that were read, as integers.
	Sysctls map[string]int64 `json:"sysctls"`
	// Stats holds net/stat/nf_conntrack summed across CPUs, by column
	// name ("drop", "insert_failed"); nil when the file was not present.
	Stats ConntrackStats `json:"stats,omitempty"`
}

// Get returns a conntrack sysctl and whether it was read.
func (c *Conntrack) Get(key string) (int64, bool) {
	if c == nil {
		return 0, false
	}
	v, ok := c.Sysctls[key]
	return v, ok
}

// ConntrackStats holds the columns of net/stat/nf_conntrack by name.
type ConntrackStats map[string]int64

// ParseConntrackStats reads net/stat/nf_conntrack: a header line naming the
// columns, then one line of hexadecimal values per CPU. Every column is
// summed across CPUs except "entries", the namespace's count, which each
// line repeats.
func ParseConntrackStats(r io.Reader) (ConntrackStats, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64*1024)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return nil, &ParseError{Line: 1, Err: err}
		}
		return nil, &ParseError{Line: 1, Err: malformed("empty file, want a header line")}
	}
	names := strings.Fields(sc.Text())
	if len(names) == 0 {
		return nil, &ParseError{Line: 1, Err: malformed("empty header line")}
	}
	out := make(ConntrackStats, len(names))
	for _, n := range names {
		out[n] = 0
	}
	for line := 2; sc.Scan(); line++ {
		if err := addStatsLine(out, names, sc.Text()); err != nil {
			return nil, &ParseError{Line: line, Err: err}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{Err: err}
	}
	return out, nil
}

// addStatsLine adds one CPU's line of hexadecimal values to s.
func addStatsLine(s ConntrackStats, names []string, text string) error {
	values := strings.Fields(text)
	if len(values) != len(names) {
		return malformed("%d values for %d columns", len(values), len(names))
	}
	for i, v := range values {
		n, err := strconv.ParseUint(v, 16, 64)
		if err != nil || n > 1<<62 {
			return malformed("column %s: %q is not a hexadecimal counter", names[i], v)
		}
		if names[i] == "entries" {
			s[names[i]] = int64(n)
			continue
		}
		s[names[i]] = min(s[names[i]]+int64(n), 1<<62)
	}
	return nil
}

// ConntrackStats reads net/stat/nf_conntrack.
func (fsys FS) ConntrackStats() (ConntrackStats, error) {
	var out ConntrackStats
	err := fsys.parse(SourceConntrack, func(fh *os.File) error {
		var err error
		out, err = ParseConntrackStats(fh)
		return err
	})
	return out, err
}

// Conntrack reads the conntrack sysctls and statistics. When neither the
// statistics nor nf_conntrack_count exist (nf_conntrack not loaded), or
// the table is empty and its statistics all zero (no rule uses conntrack
// in this namespace), the error says which and wraps fs.ErrNotExist.
func (fsys FS) Conntrack() (*Conntrack, error) {
	stats, err := fsys.ConntrackStats()
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	// The count first: in a namespace where nothing is tracked (most
	// containers') the other keys are not read.
	count, _, err := fsys.Sysctls([]string{KeyConntrackCount})
	if err != nil {
		return nil, err
	}
	if stats == nil && count[KeyConntrackCount] == "" {
		return nil, fmt.Errorf("conntrack not in use in this network namespace (no %s): %w", KeyConntrackCount, fs.ErrNotExist)
	}
	if c := newConntrack(count, stats); c.unused() {
		return nil, fmt.Errorf("%w in this network namespace (%s 0, %s all zero): %w", errConntrackUnused, KeyConntrackCount, SourceConntrack, fs.ErrNotExist)
	}
	values, _, err := fsys.Sysctls(ConntrackKeys())
	if err != nil {
		return nil, err
	}
	return newConntrack(values, stats), nil
}

// newConntrack returns the conntrack facts of the values read (those that
// are integers) and the statistics.
func newConntrack(values map[string]string, stats ConntrackStats) *Conntrack {
	c := &Conntrack{Sysctls: make(map[string]int64, len(values)), Stats: stats}
	for k, v := range values {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			c.Sysctls[k] = n
		}
	}
	return c
}

// errConntrackUnused is why a namespace with conntrack's files is not
// audited: nothing is tracked there.
var errConntrackUnused = errors.New("conntrack used by no rule")

// unused reports whether the table is empty and its statistics never
// counted anything: with conntrack built in, every network namespace has
// its files, but only one whose rules use conntrack (ct state, NAT)
// registers the hooks that track flows (docs/kernel-facts.md §22).
func (c *Conntrack) unused() bool {
	if n, ok := c.Sysctls[KeyConntrackCount]; !ok || n != 0 {
		return false
	}
	for _, v := range c.Stats {
		if v != 0 {
			return false
		}
	}
	return true
}

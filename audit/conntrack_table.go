package audit

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
)

// SourceConntrackTable is the conntrack table itself, one line per entry.
const SourceConntrackTable Source = "net/nf_conntrack"

// ParseConntrackTable counts the TCP entries of net/nf_conntrack by their
// conntrack state ("ESTABLISHED", "TIME_WAIT"); a line reads
// "ipv4 2 tcp 6 <timeout> <STATE> src=...".
func ParseConntrackTable(r io.Reader) (map[string]int64, error) {
	out := make(map[string]int64)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64*1024)
	for line := 1; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) < 6 {
			return nil, &ParseError{Line: line, Err: malformed("%d fields, want at least 6", len(f))}
		}
		if f[2] == "tcp" {
			out[f[5]]++
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{Err: err}
	}
	return out, nil
}

// ConntrackTable reads net/nf_conntrack: TCP entries by conntrack state.
func (fsys FS) ConntrackTable() (map[string]int64, error) {
	var out map[string]int64
	err := fsys.parse(SourceConntrackTable, func(fh *os.File) error {
		var err error
		out, err = ParseConntrackTable(fh)
		return err
	})
	return out, err
}

// SourceConntrackNetlink is the conntrack table dumped over ctnetlink, read
// when net/nf_conntrack is absent (a kernel without
// CONFIG_NF_CONNTRACK_PROCFS).
const SourceConntrackNetlink Source = "netlink conntrack dump"

// ConntrackTCP returns the TCP entries by conntrack state and where they
// were read: net/nf_conntrack, or, when that file is absent and the proc
// root is the live /proc, the ctnetlink dump of the calling process's
// network namespace.
func (fsys FS) ConntrackTCP() (map[string]int64, Source, error) {
	return fsys.conntrackTCP(fsys.Live())
}

func (fsys FS) conntrackTCP(live bool) (map[string]int64, Source, error) {
	states, err := fsys.ConntrackTable()
	if err == nil || !errors.Is(err, fs.ErrNotExist) || !live {
		return states, SourceConntrackTable, err
	}
	states, err = NetlinkConntrackTCP()
	return states, SourceConntrackNetlink, err
}

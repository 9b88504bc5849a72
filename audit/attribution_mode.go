package audit

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit/taskfd"
)

// AttributionMode selects how sockets are attributed to processes.
type AttributionMode string

// Attribution modes. Auto reads the descriptors of every process with a
// BPF task_file iterator where the kernel allows it (a live proc root,
// root, BTF) and scans <pid>/fd otherwise; FDScan always scans; BPF
// fails when the iterator cannot run.
const (
	AttributionAuto   AttributionMode = "auto"
	AttributionBPF    AttributionMode = "bpf"
	AttributionFDScan AttributionMode = "fd-scan"
)

// AttributionMethod says how one attribution read the processes:
// AttributionBPF or AttributionFDScan.
type AttributionMethod = AttributionMode

// ParseAttributionMode accepts auto, bpf or fd-scan; "" means auto.
func ParseAttributionMode(s string) (AttributionMode, error) {
	switch AttributionMode(s) {
	case "", AttributionAuto:
		return AttributionAuto, nil
	case AttributionBPF, AttributionFDScan:
		return AttributionMode(s), nil
	}
	return "", fmt.Errorf("%w: attribution %q: want auto, bpf or fd-scan", ErrUsage, s)
}

// WithAttribution returns a copy of fsys that attributes sockets as m
// says ("" is auto).
func (fsys FS) WithAttribution(m AttributionMode) FS {
	fsys.attribution = m
	return fsys
}

// scanner reads the processes for the batches of one attribution; the
// BPF iterator, once loaded, serves every batch.
type scanner struct {
	fsys FS
	// states holds the states of the sockets looked for: the iterator
	// skips sockets in others before it looks their inode up.
	states StateSet
	// whole holds the states whose sockets the iterator reports without
	// looking their inode up, in large batches: the caller's sets hold
	// every socket in them it wants (see iteratorStates).
	whole StateSet
	// wholeMin is the batch size from which whole applies.
	wholeMin int
	bpf      *bpfScan
	// noBPF is why the iterator cannot run, once known.
	noBPF error
	// early is the iterator's run started during the census, until the
	// first batch takes it; earlyDone says one was started.
	early     *earlyRun
	earlyDone bool
	// runs counts the iterator's runs.
	runs int
	// earlyBytes bounds the early run's records (0: maxEarlyBytes).
	earlyBytes int
}

// scanner returns a scanner for sockets in states (AllStates when the
// states of the inodes may have changed since their census).
func (fsys FS) scanner(states StateSet) *scanner {
	return &scanner{fsys: fsys, states: states, wholeMin: reportWholeMin}
}

// reportWholeMin is the size of a batch from which the iterator reports
// the sockets in the scanner's whole states without looking them up. The
// map's fill costs about 0.8 µs an inode (0.17 s for 206,000 at a million
// sockets), so below 65,536 inodes it costs at most 50 ms; reporting
// whole costs for every such socket of the host, other namespaces' too
// (at 100k sockets beside a namespace of a million, 190,000 foreign
// CLOSE_WAIT sockets cost 0.1 s of CPU): a large batch is worth it, a
// small one is not (docs/benchmarks.md).
const reportWholeMin = 1 << 16

// unavailable is the error of an attribution by the BPF iterator that
// was asked for by name and cannot load here (known after preload): the
// caller asked for that method, and another would answer a different
// question (the descriptor scan sees one PID namespace), so it is an
// error, not a fallback or a note. Nil in every other case.
func (s *scanner) unavailable() error {
	if s.fsys.attribution != AttributionBPF || s.noBPF == nil {
		return nil
	}
	return fmt.Errorf("attribution bpf: %w (attribution auto falls back to the descriptor scan)", s.noBPF)
}

// close unloads the iterator, if it was loaded.
func (s *scanner) close() {
	s.stopEarly()
	s.bpf.close()
}

// willScanBPF reports whether the scans will try the BPF iterator first
// (see scan): always when it is asked for by name, also in a namespace of
// several (its holders are anywhere on the host, as the socket pass's);
// never for a forced descriptor scan; in auto mode, not in a namespace of
// several (it scans its own few processes) nor on a host of few open
// files.
func (s *scanner) willScanBPF() bool {
	switch {
	case s.fsys.attribution == AttributionFDScan:
		return false
	case s.fsys.attribution == AttributionBPF:
		return true
	case s.fsys.scope != nil:
		return false
	}
	return !s.fsys.fewFiles()
}

// scan finds the processes holding the inodes of the sets, with the BPF
// iterator or the descriptor scan as the mode says. Auto scans when the
// host has few open files (see fewFiles), and falls back to the scan when
// the iterator cannot run (not root, no BTF, a proc root other than the
// live /proc, the program refused).
func (s *scanner) scan(sets ...*InodeSet) (*batchScan, error) {
	b := newBatchScan(sets...)
	if p := s.fsys.passUsed(); p != nil && s.fsys.attribution != AttributionFDScan {
		p.fill(b, s.fsys.root) // the pass saw every holder
		b.finish()
		return b, nil
	}
	// A namespace of several (a Scope) scans its own few processes.
	if b.size() == 0 || !s.willScanBPF() {
		err := s.fsys.scanFDs(b)
		b.finish()
		return b, err
	}
	err := s.scanBPF(b)
	switch {
	case err == nil:
		b.finish()
		return b, nil
	case s.fsys.attribution == AttributionBPF || !errors.Is(err, ErrNoIterator):
		return nil, err
	}
	b = newBatchScan(sets...)
	if err := s.fsys.scanFDs(b); err != nil {
		return nil, err
	}
	b.finish()
	return b, nil
}

// UnheldCauses says why a socket the census saw may have no holder after
// an attribution by method m: the BPF iterator sees every process, the
// descriptor scan those of the proc root's PID namespace only.
func UnheldCauses(m AttributionMethod) string {
	if m == AttributionBPF {
		return "closed since the census, or sent over a unix socket and not yet received"
	}
	return "closed since the census, sent over a unix socket and not yet received, or held in another PID namespace"
}

// UnacceptedNote says that n CLOSE_WAIT sockets wait in accept queues,
// where no process holds them; "" for none.
func UnacceptedNote(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return "1 CLOSE_WAIT socket is in a listener's accept queue, not yet accepted (its peer closed first): no process holds it until the application accepts it"
	}
	return fmt.Sprintf("%d CLOSE_WAIT sockets are in listeners' accept queues, not yet accepted (their peers closed first): no process holds them until the application accepts them", n)
}

// ErrNoIterator marks a BPF iterator that cannot run here.
var ErrNoIterator = taskfd.ErrUnavailable

// bpfWorthFiles is the number of open files from which auto attribution
// loads the BPF iterator: below, reading every descriptor link costs less
// than loading the iterator (about 30 ms of CPU to read the kernel's BTF).
const bpfWorthFiles = 1 << 15

// fewFiles reports whether the host has fewer than bpfWorthFiles open
// files (the first field of sys/fs/file-nr, docs/kernel-facts.md §28); an
// unreadable count is not few.
func (fsys FS) fewFiles() bool {
	b, err := readSmall(filepath.Join(fsys.root, "sys/fs/file-nr"))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return false
	}
	n, err := strconv.ParseUint(f[0], 10, 64)
	return err == nil && n < bpfWorthFiles
}

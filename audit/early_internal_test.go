//go:build linux && !tcpaudit_portable

package audit

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit/taskfd"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/internal/sockgen"
)

// earlySetup enters a fresh namespace and returns a socket maker on
// loopback and a scanner with the iterator loaded (the test skips where it
// cannot load); ok is false in the test that ran the one in the namespace.
func earlySetup(t *testing.T) (_ *sockgen.Generator, _ FS, _ *scanner, ok bool) {
	t.Helper()
	if !nstest.Enter(t) {
		return nil, FS{}, nil, false
	}
	g, err := sockgen.New([]uint16{1000}, []netip.Addr{netip.MustParseAddr("127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	fsys, err := NewFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	fsys = fsys.WithAttribution(AttributionBPF)
	sc := fsys.scanner(0)
	t.Cleanup(sc.close)
	sc.preload()
	if sc.noBPF != nil {
		t.Skipf("no BPF iterator here: %v", sc.noBPF)
	}
	return g, fsys, sc, true
}

// census takes a census of the namespace with opts.
func census(t *testing.T, opts ...CensusOption) *Census {
	t.Helper()
	c := NewCensus(1, 0, opts...)
	if err := NetlinkCensus(c, AllStates); err != nil {
		t.Fatal(err)
	}
	return c
}

// attribute attributes c's CLOSE_WAIT sockets with sc.
func attribute(t *testing.T, fsys FS, c *Census, sc *scanner) ProcessCensus {
	t.Helper()
	pc, err := fsys.processesOf(c, CensusNetlink, sc)
	if err != nil {
		t.Fatal(err)
	}
	return pc
}

// ownCloseWait is this process holding n CLOSE_WAIT sockets.
func ownCloseWait(n int) []ProcessSockets {
	comm := filepath.Base(os.Args[0])
	return []ProcessSockets{{PID: os.Getpid(), Command: comm[:min(len(comm), 15)], Total: n, States: map[State]int{CloseWait: n}}}
}

// TestEarlyRunDuringCensus takes a census that starts the iterator's run
// at its first CLOSE_WAIT socket: the 30 CLOSE_WAIT sockets this process
// holds are attributed to it from that one run, none looked up after.
func TestEarlyRunDuringCensus(t *testing.T) {
	g, fsys, sc, ok := earlySetup(t)
	if !ok {
		return
	}
	if err := g.Make(sockgen.Plan{CloseWait: 30, Established: 20}); err != nil {
		t.Fatal(err)
	}
	c := census(t, withEarlyRun(sc))
	if sc.early == nil {
		t.Fatal("the census met CLOSE_WAIT sockets and started no run")
	}
	pc := attribute(t, fsys, c, sc)
	if d := cmp.Diff(ownCloseWait(30), pc.Processes); d != "" || pc.Unattributed != 0 || pc.Method != AttributionBPF {
		t.Errorf("by %q, %d unattributed; processes (-want +got):\n%s", pc.Method, pc.Unattributed, d)
	}
	if sc.runs != 1 {
		t.Errorf("%d runs of the iterator, want the early one only", sc.runs)
	}
}

// TestEarlyRunThenLateCloseWait runs the iterator early, before 10 of the
// 25 CLOSE_WAIT sockets of the census exist (as sockets that reach
// CLOSE_WAIT after the run passed their holder): a second run looks those
// 10 up, and every socket is this process's.
func TestEarlyRunThenLateCloseWait(t *testing.T) {
	g, fsys, sc, ok := earlySetup(t)
	if !ok {
		return
	}
	if err := g.Make(sockgen.Plan{CloseWait: 15}); err != nil {
		t.Fatal(err)
	}
	sc.startEarly()
	<-sc.early.done
	if err := g.Make(sockgen.Plan{CloseWait: 10}); err != nil {
		t.Fatal(err)
	}
	c := census(t)
	pc := attribute(t, fsys, c, sc)
	if d := cmp.Diff(ownCloseWait(25), pc.Processes); d != "" || pc.Unattributed != 0 {
		t.Errorf("%d unattributed; processes (-want +got):\n%s", pc.Unattributed, d)
	}
	if sc.runs != 2 {
		t.Errorf("%d runs of the iterator, want the early one and one for the 10 it did not see", sc.runs)
	}
}

// TestEarlyRunStopped closes a scanner whose early run no batch took: the
// close waits for the run, which stops.
func TestEarlyRunStopped(t *testing.T) {
	g, _, sc, ok := earlySetup(t)
	if !ok {
		return
	}
	if err := g.Make(sockgen.Plan{CloseWait: 5}); err != nil {
		t.Fatal(err)
	}
	sc.startEarly()
	r := sc.early
	sc.close()
	select {
	case <-r.done:
	default:
		t.Fatal("close returned before the early run ended")
	}
	if sc.early != nil || !sc.earlyDone {
		t.Error("the scanner still has its early run")
	}
	sc.startEarly()
	if sc.early != nil {
		t.Error("a second early run started")
	}
}

// TestEarlyRunRecords keeps records of several processes, inodes up and
// down and at both ends of their range, and reads them back in order; a
// full buffer marks the run over and stops it.
func TestEarlyRunRecords(t *testing.T) {
	in := []taskfd.File{
		{TGID: 7, Inode: 1}, {TGID: 7, Inode: 0xffffffff}, {TGID: 7, Inode: 2}, {TGID: 7, Inode: 3},
		{TGID: 9, Inode: 0x80000000}, {TGID: 9, Inode: 0x7fffffff},
		{TGID: 7, Inode: 5}, {TGID: 1, Inode: 4000000000}, {TGID: 1, Inode: 4000000001},
	}
	r := &earlyRun{inodes: make([]byte, 0, 64)}
	for _, f := range in {
		if !r.add(f) {
			t.Fatalf("add %+v refused", f)
		}
	}
	var out []taskfd.File
	r.each(func(f taskfd.File) { out = append(out, f) })
	if d := cmp.Diff(in, out); d != "" {
		t.Errorf("records read back (-added +read):\n%s", d)
	}
	if len(r.runs) != 4 {
		t.Errorf("%d runs, want 4 (a process's records apart are two runs)", len(r.runs))
	}
	small := &earlyRun{inodes: make([]byte, 0, 2*len(in))}
	n := 0
	for _, f := range slices.Repeat(in, 10) {
		if !small.add(f) {
			break
		}
		n++
	}
	if !small.over || n == 0 || n >= 10*len(in) {
		t.Errorf("a buffer of %d bytes took %d records, over %v; want some, then over", cap(small.inodes), n, small.over)
	}
	r.stop.Store(true)
	if r.add(taskfd.File{TGID: 7, Inode: 8}) {
		t.Error("a stopped run kept a record")
	}
}

// TestEarlyRunFailureFallsBack is a batch whose early run failed: it runs
// the iterator itself.
func TestEarlyRunFailureFallsBack(t *testing.T) {
	g, fsys, sc, ok := earlySetup(t)
	if !ok {
		return
	}
	if err := g.Make(sockgen.Plan{CloseWait: 12}); err != nil {
		t.Fatal(err)
	}
	c := census(t)
	r := &earlyRun{done: make(chan struct{}), err: errors.New("a failed run")}
	close(r.done)
	sc.early = r
	pc := attribute(t, fsys, c, sc)
	if d := cmp.Diff(ownCloseWait(12), pc.Processes); d != "" || sc.runs != 1 {
		t.Errorf("%d runs; processes (-want +got):\n%s", sc.runs, d)
	}
}

// TestCompactJoinThenLateCloseWait keeps the census's CLOSE_WAIT inodes
// in a compact set and runs the iterator early, before 10 of the 25 exist:
// the join looks those 10 up in a second run, and the sockets are all this
// process's.
func TestCompactJoinThenLateCloseWait(t *testing.T) {
	g, fsys, sc, ok := earlySetup(t)
	if !ok {
		return
	}
	if err := g.Make(sockgen.Plan{CloseWait: 15}); err != nil {
		t.Fatal(err)
	}
	c := NewCensus(1, 0, withEarlyRun(sc))
	if c.closeWait.compact == nil {
		t.Fatal("the census keeps no compact set")
	}
	sc.startEarly()
	<-sc.early.done
	if err := g.Make(sockgen.Plan{CloseWait: 10}); err != nil {
		t.Fatal(err)
	}
	if err := NetlinkCensus(c, AllStates); err != nil {
		t.Fatal(err)
	}
	pc, ok := fsys.processesCompact(c, sc)
	if !ok {
		t.Fatal("the compact join did not run")
	}
	if d := cmp.Diff(ownCloseWait(25), pc.Processes); d != "" || pc.Unattributed != 0 || pc.Unheld.Len() != 0 {
		t.Errorf("%d unattributed, %d unheld; processes (-want +got):\n%s", pc.Unattributed, pc.Unheld.Len(), d)
	}
	if sc.runs != 2 {
		t.Errorf("%d runs of the iterator, want the early one and one for the 10 it did not see", sc.runs)
	}
}

// TestEarlyRunPausesWhenFull bounds the early run's records to 16 bytes
// (a host whose other namespaces hold more CLOSE_WAIT sockets than the
// bound): the run waits where it filled them, and the batch takes the
// records kept and the rest of the walk, one walk in all.
func TestEarlyRunPausesWhenFull(t *testing.T) {
	g, fsys, sc, ok := earlySetup(t)
	if !ok {
		return
	}
	if err := g.Make(sockgen.Plan{CloseWait: 40}); err != nil {
		t.Fatal(err)
	}
	sc.earlyBytes = 16
	c := census(t, withEarlyRun(sc))
	r := sc.early
	if r == nil || !r.wait() {
		t.Fatal("the early run did not fill 16 bytes with 40 sockets")
	}
	pc := attribute(t, fsys, c, sc)
	if d := cmp.Diff(ownCloseWait(40), pc.Processes); d != "" || pc.Unattributed != 0 || pc.Method != AttributionBPF {
		t.Errorf("by %q, %d unattributed; processes (-want +got):\n%s", pc.Method, pc.Unattributed, d)
	}
	if sc.runs != 1 {
		t.Errorf("%d runs of the iterator, want the early one only", sc.runs)
	}
}

// TestEarlyRunStoppedWhenFull closes a scanner whose early run waits
// where it filled its bounds: it stops.
func TestEarlyRunStoppedWhenFull(t *testing.T) {
	g, _, sc, ok := earlySetup(t)
	if !ok {
		return
	}
	if err := g.Make(sockgen.Plan{CloseWait: 10}); err != nil {
		t.Fatal(err)
	}
	sc.earlyBytes = 16
	sc.startEarly()
	r := sc.early
	if !r.wait() {
		t.Fatal("the early run did not fill 16 bytes with 10 sockets")
	}
	sc.close()
	select {
	case <-r.done:
	default:
		t.Fatal("close returned before the early run ended")
	}
}

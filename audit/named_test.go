//go:build linux

package audit_test

import (
	"errors"
	"maps"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// listenLoopback listens on an IPv4 loopback port, closed at the end of
// the test.
func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// closeWaitConns opens n connections to ln whose clients half-close: the
// accepted ends, returned, stay in CLOSE_WAIT held by this process.
func closeWaitConns(t *testing.T, ln net.Listener, n int) []net.Conn {
	t.Helper()
	var servers []net.Conn
	for range n {
		c, err := net.DialTimeout("tcp4", ln.Addr().String(), 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := c.(*net.TCPConn).CloseWrite(); err != nil {
			t.Fatal(err)
		}
		servers = append(servers, s)
	}
	return servers
}

// inode returns the socket inode of c.
func inode(t *testing.T, c net.Conn) uint64 {
	t.Helper()
	raw, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var ino uint64
	raw.Control(func(fd uintptr) {
		st, err := os.Stat("/proc/self/fd/" + strconv.Itoa(int(fd)))
		if err != nil {
			t.Fatal(err)
		}
		ino = st.Sys().(*syscall.Stat_t).Ino
	})
	return ino
}

// TestNamedCloseWaitBounded: a namespace holds 80 old CLOSE_WAIT sockets
// and 10 newer ones. Gather looks for the holders of the 64 longest idle
// only (MaxNamedSockets), yet counts all 90 for their owner; when the old
// ones close between two samples, Sample finds the holders of the 10 that
// stayed through both, which the findings then name.
func TestNamedCloseWaitBounded(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	ln := listenLoopback(t)
	old := closeWaitConns(t, ln, 80)
	time.Sleep(1100 * time.Millisecond) // tcp_info's idle time is in milliseconds
	young := closeWaitConns(t, ln, 10)

	o := audit.Options{ProcRoot: "/proc", Keys: []string{audit.PortRangeKey}, Census: audit.CensusNetlink}
	f, err := audit.Gather(o)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.CloseWaitInfo) != 90 || f.Owners == nil {
		t.Fatalf("%d sockets with tcp_info, owners %v; want 90 and owners", len(f.CloseWaitInfo), f.Owners)
	}
	if len(f.Owners.Owners) != 1 || f.Owners.Owners[0].PID != os.Getpid() || f.Owners.Owners[0].Sockets != 90 {
		t.Errorf("owners %+v, want this process with 90 sockets", f.Owners.Owners)
	}
	held := 0
	for i, s := range f.CloseWaitInfo {
		_, ok := f.Owners.Holder(s.Inode)
		if ok {
			held++
		}
		if ok != (i < audit.MaxNamedSockets) {
			t.Errorf("socket %d of the longest idle first (idle %v): holder found %v", i, s.Idle, ok)
		}
	}
	if held != audit.MaxNamedSockets {
		t.Errorf("holders of %d CLOSE_WAIT sockets, want %d", held, audit.MaxNamedSockets)
	}

	closed := false
	f, err = audit.Sample(t.Context(), o, 2, 300*time.Millisecond, func(done, _ int) {
		if done == 1 && !closed {
			closed = true
			for _, c := range old {
				c.Close()
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := f.Sampling.StuckCloseWait.Len(); n != 10 {
		t.Fatalf("%d sockets stayed through both samples, want the 10 young ones", n)
	}
	// The tcp_info the finding reads is the last sample's: the 80 old
	// sockets closed, and their idle times are not reported as current.
	if len(f.CloseWaitInfo) != 10 {
		t.Errorf("%d sockets with tcp_info after sampling, want the 10 still in CLOSE_WAIT", len(f.CloseWaitInfo))
	}
	for _, si := range f.CloseWaitInfo {
		if !f.Sampling.StuckCloseWait.Has(si.Inode) {
			t.Errorf("socket %d (idle %v) with tcp_info after sampling: want only the young stuck ones", si.Inode, si.Idle)
		}
	}
	for _, c := range young {
		ino := inode(t, c)
		if !f.Sampling.StuckCloseWait.Has(ino) {
			t.Errorf("young socket %d not stuck", ino)
		}
		if h, ok := f.Owners.Holder(ino); !ok || h.PID != os.Getpid() {
			t.Errorf("holder of stuck socket %d: %+v %v, want this process", ino, h, ok)
		}
	}
}

// TestDupCountsSockets: a process holding each of 20 CLOSE_WAIT sockets
// through two descriptors (dup) holds 20 sockets, by the iterator and by
// the descriptor scan alike.
func TestDupCountsSockets(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	ln := listenLoopback(t)
	for _, c := range closeWaitConns(t, ln, 20) {
		raw, err := c.(*net.TCPConn).SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		raw.Control(func(fd uintptr) {
			dup, err := syscall.Dup(int(fd))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { syscall.Close(dup) })
		})
	}
	c := audit.NewCensus(1, 0)
	if err := audit.NetlinkCensus(c, audit.AllStates); err != nil {
		t.Fatal(err)
	}
	fsys, err := audit.NewFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []audit.AttributionMode{audit.AttributionBPF, audit.AttributionFDScan} {
		pc, err := fsys.WithAttribution(mode).ProcessesOf(c, audit.CensusNetlink)
		if errors.Is(err, audit.ErrNoIterator) {
			t.Logf("%s: %v", mode, err)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(pc.Processes) != 1 || pc.Processes[0].PID != os.Getpid() || pc.Processes[0].Total != 20 || pc.Processes[0].States[audit.CloseWait] != 20 {
			t.Errorf("%s: processes %+v, want this process with 20 CLOSE_WAIT sockets", mode, pc.Processes)
		}
	}
}

// dupAndShare opens n CLOSE_WAIT connections held by this process, each
// through two descriptors, and hands the first shared of them to a child
// (sleep), each twice; it returns the connections and the child's PID.
func dupAndShare(t *testing.T, n, shared int) ([]net.Conn, int) {
	t.Helper()
	conns := closeWaitConns(t, listenLoopback(t), n)
	var files []*os.File
	for i, c := range conns {
		f, err := c.(*net.TCPConn).File() // a second descriptor
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		if i < shared {
			files = append(files, f)
		}
	}
	child := exec.Command("sleep", "60")
	child.ExtraFiles = append(files, files...) // the child's own dup()s
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { child.Process.Kill(); child.Wait() })
	return conns, child.Process.Pid
}

// TestDupAndSharedEveryWay holds 20 CLOSE_WAIT sockets, each through two
// descriptors, and hands 4 of them to a child (sleep), each twice (a
// process other than the lowest PID holding a socket, through two
// descriptors, counts it once): attributed by the
// descriptor scan (by claims, and by marks on the compact set of
// PrepareAttribution's census option), by the iterator after the census
// and by the iterator run during the census (the census option, whose join
// is by marks), this process holds 20 and the child 4.
func TestDupAndSharedEveryWay(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	_, kid := dupAndShare(t, 20, 4)
	want := map[int]int{os.Getpid(): 20, kid: 4}
	fsys, err := audit.NewFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	ways := []struct {
		name  string
		mode  audit.AttributionMode
		early bool
	}{
		{"fd-scan", audit.AttributionFDScan, false},
		{"fd-scan joined with a compact set", audit.AttributionFDScan, true},
		{"bpf after the census", audit.AttributionBPF, false},
		{"bpf during the census", audit.AttributionBPF, true},
	}
	for _, w := range ways {
		prep := fsys.WithAttribution(w.mode).PrepareAttribution()
		var opts []audit.CensusOption
		if w.early {
			opts = append(opts, prep.CensusOption())
		}
		c := audit.NewCensus(1, 0, opts...)
		if err := audit.NetlinkCensus(c, audit.AllStates); err != nil {
			t.Fatal(err)
		}
		pc, err := prep.ProcessesOf(c, audit.CensusNetlink)
		prep.Close()
		if errors.Is(err, audit.ErrNoIterator) {
			t.Logf("%s: %v", w.name, err)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got := map[int]int{}
		for _, p := range pc.Processes {
			if p.Total != p.States[audit.CloseWait] {
				t.Errorf("%s: process %d has %d sockets, %d in CLOSE_WAIT", w.name, p.PID, p.Total, p.States[audit.CloseWait])
			}
			got[p.PID] = p.Total
		}
		if !maps.Equal(got, want) || pc.Unattributed != 0 || pc.Method != w.mode {
			t.Errorf("%s: by %q, sockets by process %v, %d unattributed; want %v by %q", w.name, pc.Method, got, pc.Unattributed, want, w.mode)
		}
	}
}

// TestThreadTableCountsOnce holds 10 CLOSE_WAIT sockets, starts a child
// holding 2 of them, then a thread of this process with a later thread ID
// unshares its descriptor table (a copy holding the same 10): the
// iterator walks this process's two tables apart, the child's between
// them, and every way of attributing counts 10 for this process.
func TestThreadTableCountsOnce(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	ln := listenLoopback(t)
	conns := closeWaitConns(t, ln, 10)
	var files []*os.File
	for _, c := range conns[:2] {
		f, err := c.(*net.TCPConn).File()
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	child := exec.Command("sleep", "60")
	child.ExtraFiles = files
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { child.Process.Kill(); child.Wait() })
	for _, f := range files {
		f.Close()
	}
	release := make(chan struct{})
	defer close(release)
	unshared := make(chan error, 1)
	for range 64 { // locked goroutines until one runs on a thread made after the child
		tid := make(chan int, 1)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
			if id := syscall.Gettid(); id < child.Process.Pid {
				tid <- id
				<-release
				return
			}
			tid <- 0
			unshared <- syscall.Unshare(syscall.CLONE_FILES)
			<-release
		}()
		if <-tid == 0 {
			break
		}
	}
	select {
	case err := <-unshared:
		if err != nil {
			t.Fatalf("unshare(CLONE_FILES): %v", err)
		}
	default:
		t.Skip("no thread made after the child")
	}
	fsys, err := audit.NewFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]int{os.Getpid(): 10, child.Process.Pid: 2}
	for _, early := range []bool{false, true} {
		prep := fsys.WithAttribution(audit.AttributionBPF).PrepareAttribution()
		var opts []audit.CensusOption
		if early {
			opts = append(opts, prep.CensusOption())
		}
		c := audit.NewCensus(1, 0, opts...)
		if err := audit.NetlinkCensus(c, audit.AllStates); err != nil {
			t.Fatal(err)
		}
		pc, err := prep.ProcessesOf(c, audit.CensusNetlink)
		prep.Close()
		if errors.Is(err, audit.ErrNoIterator) {
			t.Skipf("no BPF iterator here: %v", err)
		}
		if err != nil {
			t.Fatal(err)
		}
		got := map[int]int{}
		for _, p := range pc.Processes {
			got[p.PID] = p.Total
		}
		if !maps.Equal(got, want) {
			t.Errorf("iterator during the census %v: sockets by process %v, want %v", early, got, want)
		}
	}
}

// TestUnacceptedCloseWait: clients that connect and close before the
// listener accepts leave CLOSE_WAIT sockets in its accept queue, without
// an inode; the census counts them apart, as ss shows them (ino 0).
func TestUnacceptedCloseWait(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	ln := listenLoopback(t)
	for range 5 {
		c, err := net.DialTimeout("tcp4", ln.Addr().String(), 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	// The five stay in the queue: nothing accepts them. Census until their
	// FINs arrived, at most 2 s.
	var c *audit.Census
	for range 200 {
		c = audit.NewCensus(1, 0)
		if err := audit.NetlinkCensus(c, audit.AllStates); err != nil {
			t.Fatal(err)
		}
		if c.Count(audit.CloseWait) == 5 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if c.Count(audit.CloseWait) != 5 || c.Unaccepted != 5 {
		t.Fatalf("%d CLOSE_WAIT, %d unaccepted; want 5 and 5", c.Count(audit.CloseWait), c.Unaccepted)
	}
	out, err := exec.Command("ss", "-tanHe", "state", "close-wait").Output()
	if err != nil {
		t.Skipf("ss: %v", err)
	}
	if n := strings.Count(string(out), " ino:0 "); n != 5 {
		t.Errorf("ss shows %d CLOSE_WAIT sockets with inode 0, the census 5:\n%s", n, out)
	}
	if note := audit.UnacceptedNote(c.Unaccepted); !strings.Contains(note, "5 CLOSE_WAIT sockets are in listeners' accept queues") {
		t.Errorf("note %q", note)
	}
}

// TestThreadOwnTableEveryWay holds 3 CLOSE_WAIT sockets, and a thread
// that unshared its descriptor table (unshare(CLONE_FILES)) holds 4 more
// in its own table only: the descriptor scan (through the thread's
// task/TID/fd, kcmp telling its table from the process's) and the
// iterator both count 7 for this process.
func TestThreadOwnTableEveryWay(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	ln := listenLoopback(t)
	closeWaitConns(t, ln, 3)
	addr := ln.Addr().(*net.TCPAddr)
	release := make(chan struct{})
	defer close(release)
	made := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		if err := syscall.Unshare(syscall.CLONE_FILES); err != nil {
			made <- err
			return
		}
		for range 4 { // raw sockets: the runtime's poller must not see this table's numbers
			fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
			if err == nil {
				err = syscall.Connect(fd, &syscall.SockaddrInet4{Port: addr.Port, Addr: [4]byte{127, 0, 0, 1}})
			}
			if err != nil {
				made <- err
				return
			}
		}
		made <- nil
		<-release
	}()
	if err := <-made; err != nil {
		t.Skipf("a thread with its own descriptor table: %v", err)
	}
	for range 4 { // the servers' ends close: the thread's sockets go to CLOSE_WAIT
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	var c *audit.Census
	for range 200 { // until the FINs arrived, at most 2 s
		c = audit.NewCensus(1, 0)
		if err := audit.NetlinkCensus(c, audit.AllStates); err != nil {
			t.Fatal(err)
		}
		if c.Count(audit.CloseWait) == 7 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if c.Count(audit.CloseWait) != 7 {
		t.Fatalf("%d CLOSE_WAIT sockets, want 7", c.Count(audit.CloseWait))
	}
	fsys, err := audit.NewFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []audit.AttributionMode{audit.AttributionFDScan, audit.AttributionBPF} {
		pc, err := fsys.WithAttribution(mode).ProcessesOf(c, audit.CensusNetlink)
		if errors.Is(err, audit.ErrNoIterator) {
			t.Logf("%s: %v", mode, err)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(pc.Processes) != 1 || pc.Processes[0].PID != os.Getpid() || pc.Processes[0].Total != 7 || pc.Unattributed != 0 {
			t.Errorf("%s: processes %+v, %d unattributed; want this process with 7", mode, pc.Processes, pc.Unattributed)
		}
	}
}

package main

import (
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/internal/sockgen"
)

// overloaded is a listener with backlog 0 whose accept queue is full: one
// connection is queued and never accepted, and every further SYN is
// dropped (ListenOverflows, ListenDrops).
type overloaded struct {
	t      *testing.T
	listen netip.AddrPort
	fds    []int
}

// newOverloaded listens with a backlog of 0, fills the accept queue with
// one connection and sends syns more SYNs to it.
func newOverloaded(t *testing.T, syns int) *overloaded {
	t.Helper()
	lfd, err := sockgen.Listen(netip.MustParseAddrPort("127.0.0.1:0"), 0)
	if err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(lfd)
	if err != nil {
		t.Fatal(err)
	}
	o := &overloaded{t: t, listen: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(sa.(*unix.SockaddrInet4).Port)), fds: []int{lfd}}
	t.Cleanup(o.close)
	fd, err := sockgen.Connect(o.listen)
	if err != nil {
		t.Fatal(err)
	}
	o.fds = append(o.fds, fd)
	for range syns {
		o.syn()
	}
	return o
}

// syn sends one more SYN to the full queue from a non-blocking socket.
func (o *overloaded) syn() {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		o.t.Error(err)
		return
	}
	o.fds = append(o.fds, fd)
	if err := unix.Connect(fd, &unix.SockaddrInet4{Port: int(o.listen.Port()), Addr: o.listen.Addr().As4()}); err != unix.EINPROGRESS {
		o.t.Errorf("non-blocking connect: %v", err)
	}
}

// close ends the overload: the listener and every client are closed.
func (o *overloaded) close() {
	for _, fd := range o.fds {
		unix.Close(fd)
	}
	o.fds = nil
}

// TestListenOverloadInProgress: while SYNs keep hitting a full accept
// queue, a sampled check fails with a critical listen-queue-overflow
// finding that names this process as the listener's owner, with the rate
// and the listener's own drop count (SK_MEMINFO_DROPS) as evidence.
func TestListenOverloadInProgress(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	o := newOverloaded(t, 5)
	stop := repeat(20*time.Millisecond, func() error { o.syn(); return nil })
	code, rep := checkJSON(t, "--samples", "3", "--interval", "200ms", "--source", "netlink")
	_ = stop()
	if code != exitFindings {
		t.Errorf("exit %d, want %d", code, exitFindings)
	}
	f := rep.findings("listen-queue-overflow")
	if len(f) != 1 || f[0].Severity != "critical" {
		t.Fatalf("findings %+v: want one critical listen-queue-overflow", f)
	}
	ev := f[0].Evidence
	t.Logf("evidence %v", ev)
	if ev["rate_per_s"] <= 0 || ev["delta"] <= 0 || ev["full_listeners"] != 1 || ev["listener_drops"] <= 0 {
		t.Errorf("evidence %v: want a positive rate, one full listener and its drops", ev)
	}
	if ev["proposed_backlog"] < ev["rate_per_s"] || !strings.Contains(f[0].Fix.Advice, "drops/s × 1 s") {
		t.Errorf("evidence %v, advice %q: want a backlog sized from the measured rate", ev, f[0].Fix.Advice)
	}
	i := slices.IndexFunc(f[0].Subjects, func(s jsonSubject) bool { return s.Local == o.listen.String() })
	if i < 0 {
		t.Fatalf("subjects %+v: want the listener %s", f[0].Subjects, o.listen)
	}
	if s := f[0].Subjects[i]; s.PID != os.Getpid() || s.State != "LISTEN" || s.Drops <= 0 || s.RecvQ != 1 {
		t.Errorf("subject %+v: want pid %d, LISTEN, its drops and accept queue 1", s, os.Getpid())
	}
}

// TestListenOverloadEnded: after an overload whose listener is gone, with
// a healthy listener in its place, the counters since boot are only info:
// without samples an info finding says none is on the current listeners;
// with samples (a rate of zero) there is no finding; both exit 0.
func TestListenOverloadEnded(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	o := newOverloaded(t, 20)
	time.Sleep(100 * time.Millisecond)
	o.close()
	healthy, err := sockgen.Listen(netip.MustParseAddrPort("127.0.0.1:0"), 128)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(healthy)

	code, rep := checkJSON(t, "--source", "netlink")
	if code != 0 {
		t.Errorf("one sample: exit %d, want 0: %+v", code, rep.Findings)
	}
	f := rep.findings("listen-queue-overflow")
	if len(f) != 1 || f[0].Severity != "info" || f[0].Evidence["since_boot"] < 20 || f[0].Evidence["listener_drops"] != 0 {
		t.Fatalf("one sample: findings %+v: want one info finding with at least 20 drops since boot, none on the listeners", f)
	}
	t.Logf("title %q, evidence %v", f[0].Title, f[0].Evidence)

	code, rep = checkJSON(t, "--samples", "2", "--interval", "200ms", "--source", "netlink")
	if code != 0 {
		t.Errorf("sampled: exit %d, want 0: %+v", code, rep.Findings)
	}
	if f := rep.findings("listen-queue-overflow"); len(f) != 0 {
		t.Errorf("sampled: findings %+v: want none (+0 between samples)", f)
	}
}

package main

import (
	"net"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/watch"
)

// inNetns runs fn on a thread switched to the network namespace ns (from
// ip netns), so that the sockets fn creates belong to it.
func inNetns(t *testing.T, ns string, fn func()) {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	self, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	defer self.Close()
	target, err := os.Open(filepath.Join("/run/netns", ns))
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := unix.Setns(int(self.Fd()), unix.CLONE_NEWNET); err != nil {
			panic(err) // the thread would stay in the wrong namespace
		}
	}()
	fn()
}

// TestWatchNetnsFlag: watch run outside a namespace, given it by --netns,
// sees the connections made there whether named by path or, as check
// takes it, by its name under /run/netns; watch of its own namespace does
// not: the kernel programs filter by the namespace's inode.
func TestWatchNetnsFlag(t *testing.T) {
	ns := nstest.New(t)
	if tr, err := watch.OpenBPF(0); err != nil {
		skipWithoutBPF(t, err)
	} else {
		tr.Close()
	}
	const n = 30
	var addr string
	inNetns(t, ns, func() { addr = echoServer(t, "127.0.0.1:0").Addr().String() })
	load := func() { inNetns(t, ns, func() { churn(t, addr, n) }) }
	for _, tc := range []struct {
		args []string
		want uint64
	}{
		{[]string{"--netns", filepath.Join("/run/netns", ns)}, n},
		{[]string{"--netns", ns}, n},
		{nil, 0}, // this process's namespace
	} {
		_, r := watchRun(t, load, append([]string{"--duration", "2s"}, tc.args...)...)
		var got uint64
		for _, d := range r.TimeWaitByDestination {
			if d.Destination == addr {
				got += d.Count
			}
		}
		if got > tc.want || got+r.MissedEvents < tc.want {
			t.Errorf("watch %v: %d TIME_WAIT toward %s in namespace %s, want %d (%d events missed)", tc.args, got, addr, ns, tc.want, r.MissedEvents)
		}
	}
}

// TestWatchNetnsCloseWaitOwner: a CLOSE_WAIT leak made while watching a
// namespace given by --netns, its listener opened before watch (so only
// the descriptor scan can name its holder), is named by this test's pid, not left to
// pid 0: the census that maps it to an inode runs inside the namespace.
func TestWatchNetnsCloseWaitOwner(t *testing.T) {
	if !enterWithBPF(t) {
		return
	}
	ns := nstest.New(t)
	var ln *leaky
	var leaked net.Conn
	inNetns(t, ns, func() { ln = leakyListener(t) })
	_, r := watchRun(t, func() {
		inNetns(t, ns, func() { leaked = ln.leak(t) })
		time.Sleep(1500 * time.Millisecond)
	}, "--netns", ns, "--duration", "3s", "--close-wait-age", "1s")
	t.Cleanup(func() { leaked.Close() })
	if len(r.Longest) != 1 || r.Longest[0].State != "CLOSE_WAIT" || r.Longest[0].PID != os.Getpid() {
		t.Errorf("longest lived %+v: want the CLOSE_WAIT socket held by pid %d", r.Longest, os.Getpid())
	}
}

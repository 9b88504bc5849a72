//go:build linux && !tcpaudit_portable

package watch

import (
	"io"
	"net"
	"testing"
	"time"
)

// TestTracerTimeWaitEvicted: a server that closes each accepted
// connection first makes a TIME_WAIT whose destination is its client's
// port, a key of its own in the kernel's map by process and destination
// (8,192 keys asked for, least recently used evicted; 10,000 still fitted
// on 6.18 with 2 CPUs). With 20,000 of them the keyed counts lose some; the namespace's total stays exact, and the report
// says how many are in no row (time_wait_unlisted).
func TestTracerTimeWaitEvicted(t *testing.T) {
	tr, self, ok := tracedHere(t, bpfOptions{})
	if !ok {
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close() // the server closes first: its socket goes to TIME_WAIT
		}
	}()
	const n = 20000
	start := time.Now()
	for range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, c) // the server's FIN
		c.Close()
	}
	var last Reading
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if last, err = tr.Read(time.Now()); err != nil {
			t.Fatal(err)
		}
		if last.TimeWaitByNetns[self]+last.Missed >= n || time.Now().After(deadline) {
			break
		}
	}
	var keyed uint64
	for _, v := range last.TimeWait {
		keyed += v
	}
	total := last.TimeWaitByNetns[self]
	t.Logf("%d connections in %v: %d TIME_WAIT in the namespace's total, %d in keyed counts, %d events missed", n, time.Since(start).Round(time.Millisecond), total, keyed, last.Missed)
	// Beside the command package's tests under the race detector, 3 runs
	// in 88 counted 19,999 with no event missed: one lost where the
	// programs saw nothing refused (cause not found; none in runs alone).
	// The bound allows that much and no more: a total made of the keyed
	// counts is thousands short.
	if total > n || total+last.Missed+n/1000 < n {
		t.Errorf("TIME_WAIT in the namespace's total: %d, want %d (%d events missed, 0.1%% allowed)", total, n, last.Missed)
	}
	if keyed >= total {
		t.Fatalf("keyed counts %d of %d: nothing evicted, the test did not exercise the map's bound", keyed, total)
	}
	first, err := Baseline(tr, start)
	if err != nil {
		t.Fatal(err)
	}
	r := Summarize(first, last, Options{Netns: self})
	if r.TimeWaitCreated.Count != total || r.TimeWaitUnlisted != total-keyed {
		t.Errorf("report: %d created, %d unlisted; want %d and %d", r.TimeWaitCreated.Count, r.TimeWaitUnlisted, total, total-keyed)
	}
	if len(r.Namespaces) != 1 || r.Namespaces[0].TimeWaitCreated.Count != total {
		t.Errorf("report's namespaces %+v: want one with %d created", r.Namespaces, total)
	}
}

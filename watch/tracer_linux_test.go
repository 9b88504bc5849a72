//go:build linux && !tcpaudit_portable

package watch

import (
	"net"
	"os"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestTracerListenerOwner: sockets accepted by a listener opened while
// traced belong to the process that listened, every one of them, from
// the kernel's maps alone (the accepted socket is never moved by a system
// call before it leaks in CLOSE_WAIT), with a slot for each socket's entry
// and with two slots for all (most entries then in the hash).
func TestTracerListenerOwner(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	self, err := NamespaceInode("/proc", "self")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []bpfOptions{{}, {slotBits: 1}} {
		tr, err := openBPF(self, o)
		if err != nil {
			skipWithoutBPF(t, err)
		}
		listenerOwner(t, tr, self, o)
		tr.Close()
	}
}

// listenerOwner leaks 3 accepted sockets in CLOSE_WAIT under tr and
// checks their owner.
func listenerOwner(t *testing.T, tr Tracer, self uint32, o bpfOptions) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	const n = 3
	for range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		c.Close()
	}
	time.Sleep(100 * time.Millisecond) // the FINs' processing
	r, err := tr.Read(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var leaked int
	for _, l := range r.Live {
		if l.State != audit.CloseWait {
			continue
		}
		leaked++
		if l.PID != os.Getpid() || l.Local.String() != ln.Addr().String() || l.Netns != self {
			t.Errorf("%+v: CLOSE_WAIT socket %+v: want pid %d on %s in netns %d", o, l, os.Getpid(), ln.Addr(), self)
		}
	}
	if !lowBy(uint64(leaked), n, r.Missed) {
		t.Errorf("%+v: %d CLOSE_WAIT sockets traced, want %d (%d events missed): %+v", o, leaked, n, r.Missed, r.Live)
	}
}

// TestBaselineFromAttach: connections made between attaching and the
// first read are in the report: a BPF watch counts from its attach, not
// from a first read taken some time later.
func TestBaselineFromAttach(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	self, err := NamespaceInode("/proc", "self")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	tr, err := OpenBPF(self)
	if err != nil {
		skipWithoutBPF(t, err)
	}
	defer tr.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	const n = 4
	for range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	first, err := Baseline(tr, start)
	if err != nil {
		t.Fatal(err)
	}
	last, err := tr.Read(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := Summarize(first, last, Options{Netns: self}).NewConnections.Active.Count; !lowBy(got, n, last.Missed) {
		t.Errorf("%d active connections since attaching, want %d (%d events missed)", got, n, last.Missed)
	}
}

package main

import (
	"math"
	"net"
	"os"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/watch"
)

// TestWatchChurn: a client that opens and closes exactly n connections
// (closing first) makes n ESTABLISHED to FIN_WAIT1 transitions and n
// TIME_WAIT entries, attributed to the client's process and destination.
func TestWatchChurn(t *testing.T) {
	if !enterWithBPF(t) {
		return
	}
	const n = 200
	ln := echoServer(t, "127.0.0.1:0")
	addr := ln.Addr().String()
	_, r := watchRun(t, func() { churn(t, addr, n) }, "--duration", "3s")
	if r.Source != watch.FromBPF {
		t.Fatalf("source %q (%s): want bpf", r.Source, r.Note)
	}
	if got := transition(r, "ESTABLISHED", "FIN_WAIT1"); !nearCountMissed(got, n, r.MissedEvents) {
		t.Errorf("ESTABLISHED -> FIN_WAIT1: %d, want %d ± 2%%\n%+v", got, n, r.Transitions)
	}
	if got := r.NewConnections.Active.Count; !nearCountMissed(got, n, r.MissedEvents) {
		t.Errorf("active opens: %d, want %d ± 2%%", got, n)
	}
	var byMe uint64
	for _, p := range r.TimeWaitByProcess {
		if p.PID == os.Getpid() {
			byMe = p.Count
		}
	}
	if !nearCountMissed(byMe, n, r.MissedEvents) {
		t.Errorf("TIME_WAIT created by pid %d: %d, want %d ± 2%%\n%+v", os.Getpid(), byMe, n, r.TimeWaitByProcess)
	}
	var toServer uint64
	for _, d := range r.TimeWaitByDestination {
		if d.Destination == addr {
			toServer = d.Count
			if want := int(math.Round(d.PerS * 60)); d.PortsHeld != want {
				t.Errorf("ports held %d: want rate × 60 s = %d", d.PortsHeld, want)
			}
		}
	}
	if !nearCountMissed(toServer, n, r.MissedEvents) {
		t.Errorf("TIME_WAIT toward %s: %d, want %d ± 2%%\n%+v", addr, toServer, n, r.TimeWaitByDestination)
	}
}

// TestWatchCloseWaitLeak: a server that leaves accepted sockets in
// CLOSE_WAIT is named by its pid, whether its listener was opened before
// watch (found by the descriptor scan) or after (the listener's owner,
// traced); one socket closed after a known time gives the histogram a
// maximum at least that long; the others, still open, are a finding.
func TestWatchCloseWaitLeak(t *testing.T) {
	if !enterWithBPF(t) {
		return
	}
	const leak = 2 * time.Second
	before := leakyListener(t)
	var leaked []net.Conn
	var closed time.Time
	code, r := watchRun(t, func() {
		after := leakyListener(t)
		for _, ln := range []*leaky{before, after, after} {
			leaked = append(leaked, ln.leak(t))
		}
		closed = time.Now()
		time.Sleep(leak)
		leaked[2].Close() // CLOSE_WAIT -> LAST_ACK after the known time
	}, "--duration", "4s", "--close-wait-age", "1s")
	t.Cleanup(func() { leaked[0].Close(); leaked[1].Close() })
	var stay watch.StateTime
	for _, s := range r.TimeInState {
		if s.State == "CLOSE_WAIT" {
			stay = s
		}
	}
	if stay.Count != 1 || stay.MaxS < leak.Seconds() {
		t.Errorf("time in CLOSE_WAIT %+v: want one stay and a max of at least %s", stay, leak)
	}
	if len(r.Longest) != 2 {
		t.Fatalf("longest lived %+v: want the 2 sockets still in CLOSE_WAIT", r.Longest)
	}
	for _, l := range r.Longest {
		if l.State != "CLOSE_WAIT" || l.PID != os.Getpid() || l.AgeS < leak.Seconds() || l.AgeS > time.Since(closed).Seconds() {
			t.Errorf("longest lived %+v: want CLOSE_WAIT, pid %d, leaked for %s to %s", l, os.Getpid(), leak, time.Since(closed))
		}
	}
	f := findingsOf(r, watch.CloseWaitLeak)
	if code != exitFindings || len(f) != 1 || len(f[0].Subjects) != 2 || f[0].Subjects[0].PID != os.Getpid() {
		t.Errorf("exit %d, findings %+v: want one CLOSE_WAIT finding naming pid %d", code, f, os.Getpid())
	}
}

// leaky is a listener whose accepted connections are handed to the test.
type leaky struct {
	ln       net.Listener
	accepted chan net.Conn
}

func leakyListener(t *testing.T) *leaky {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	l := &leaky{ln: ln, accepted: make(chan net.Conn, 1)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			l.accepted <- c
		}
	}()
	return l
}

// leak connects, closes the client end and returns the server's end,
// left in CLOSE_WAIT.
func (l *leaky) leak(t *testing.T) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", l.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := <-l.accepted
	c.Close()
	return s
}

// TestWatchSampled: forced to sample, watch says so, counts the TIME_WAIT
// sockets toward the destination and estimates their creation rate as
// count / 60 s.
func TestWatchSampled(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	const n = 50
	ln := echoServer(t, "127.0.0.1:0")
	addr := ln.Addr().String()
	_, r := watchRun(t, func() { churn(t, addr, n) }, "--duration", "2s", "--interval", "200ms", "--source", "sample")
	if r.Source != watch.FromSample || r.Note == "" || len(r.Transitions) != 0 {
		t.Fatalf("source %q, note %q, transitions %v: want a sampled report that says so", r.Source, r.Note, r.Transitions)
	}
	var dest watch.Projection
	for _, d := range r.TimeWaitByDestination {
		if d.Destination == addr {
			dest = d
		}
	}
	if dest.Count != n || math.Abs(dest.PerS-float64(n)/60) > 1e-9 || dest.PortsHeld != n {
		t.Errorf("TIME_WAIT toward %s: %+v, want %d sockets, %d/60 per second, %d ports", addr, dest, n, n, n)
	}
	var tw watch.StateChange
	for _, s := range r.StateChanges {
		if s.State == "TIME_WAIT" {
			tw = s
		}
	}
	// The first sample precedes the churn unless the machine delayed it
	// past startTime.
	if tw.Last != n || tw.First > n || math.Abs(tw.PerS-float64(tw.Last-tw.First)/r.ElapsedS) > 1e-6 {
		t.Errorf("TIME_WAIT count change %+v over %.1f s: want up to %d and the change per second", tw, r.ElapsedS, n)
	}
	if tw.First != 0 {
		t.Logf("the first sample came after the churn (%+v)", tw)
	}
}

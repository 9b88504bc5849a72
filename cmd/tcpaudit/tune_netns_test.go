package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/internal/sockgen"
	"github.com/tcpaudit/tcpaudit/tune"
)

// tuneJSON runs tune with --format json and returns its report.
func tuneJSON(t *testing.T, args ...string) tune.Report {
	t.Helper()
	code, out, stderr := runCLI(t, append([]string{"tune", "--format", "json"}, args...)...)
	var r tune.Report
	if err := json.Unmarshal([]byte(out), &r); code != exitOK || err != nil {
		t.Fatalf("tune %v: exit %d, %v\nstderr: %s", args, code, err, stderr)
	}
	return r
}

// proposalOf returns the proposal for key.
func proposalOf(t *testing.T, r tune.Report, key string) tune.Proposal {
	t.Helper()
	for _, p := range r.Proposals {
		if p.Key == key {
			t.Logf("%s: %s %s → %s: %s %s", p.Key, p.Verdict, p.Current, p.Proposed, p.Formula, p.Advice)
			return p
		}
	}
	t.Fatalf("no proposal for %s", key)
	return tune.Proposal{}
}

// input returns a numeric input of a proposal.
func input(t *testing.T, p tune.Proposal, name string) float64 {
	t.Helper()
	v, ok := p.Inputs[name].(float64)
	if !ok {
		t.Fatalf("%s: input %s is %v", p.Key, name, p.Inputs[name])
	}
	return v
}

// paced calls fn at perSec per second, by the clock (a late call is made
// up at once), for at most limit; count says how many calls succeeded.
type paced struct {
	n    atomic.Int64
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once
	err  error
}

func pace(perSec int, limit time.Duration, fn func() error) *paced {
	p := &paced{done: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		start, period := time.Now(), time.Second/time.Duration(perSec)
		for i := range int(limit / period) {
			select {
			case <-p.done:
				return
			case <-time.After(time.Until(start.Add(time.Duration(i) * period))):
			}
			if p.err = fn(); p.err != nil {
				return
			}
			p.n.Add(1)
		}
	}()
	return p
}

// stop ends the calls and returns the first error; it may be called again.
func (p *paced) stop() error {
	p.once.Do(func() { close(p.done) })
	p.wg.Wait()
	return p.err
}

// measure runs fn and returns the rate of p's calls meanwhile, per second.
func (p *paced) measure(fn func()) float64 {
	n0, t0 := p.n.Load(), time.Now()
	fn()
	return float64(p.n.Load()-n0) / time.Since(t0).Seconds()
}

// closer returns a generator of connections to 127.0.0.1:9000 that the
// client closes first, released when the test ends.
func closer(t *testing.T) *sockgen.Generator {
	t.Helper()
	g, err := sockgen.New([]uint16{9000}, []netip.Addr{netip.MustParseAddr("127.0.0.1")})
	if err == nil {
		t.Cleanup(g.Close)
		return g
	}
	t.Fatal(err)
	return nil
}

func within(got, want, share float64) bool { return math.Abs(got-want) <= share*want }

// TestTuneConnectionRate: a client opening 200 connections/s to one
// destination (closing first, so each holds TIME_WAIT) gets a port-range
// need and a tcp_max_tw_buckets need within 10% of its own rate × 60 s ×
// 1.5, and a wider range where 40000-49999 is too small.
func TestTuneConnectionRate(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	setSysctl(t, "net/ipv4/ip_local_port_range", "40000 49999")
	g := closer(t)
	load := pace(200, 10*time.Second, g.TimeWait)
	time.Sleep(500 * time.Millisecond)
	var rep tune.Report
	rate := load.measure(func() { rep = tuneJSON(t, "--duration", "3s", "--interval", "1s") })
	if err := load.stop(); err != nil {
		t.Fatal(err)
	}
	want := rate * 60 * 1.5
	t.Logf("the test's own rate %.1f/s: want %.0f", rate, want)
	ports := proposalOf(t, rep, "net.ipv4.ip_local_port_range")
	if need := input(t, ports, "need_ports"); !within(need, want, 0.1) || ports.Verdict != tune.Change {
		t.Errorf("port range: need %.0f, verdict %s; want %.0f ± 10%% and a change", need, ports.Verdict, want)
	}
	var lo, hi int
	if _, err := fmt.Sscan(ports.Proposed, &lo, &hi); err != nil || float64(hi-lo+1) < input(t, ports, "need_ports") || lo > 40000 {
		t.Errorf("proposed range %q does not hold the need", ports.Proposed)
	}
	tw := proposalOf(t, rep, "net.ipv4.tcp_max_tw_buckets")
	if need := input(t, tw, "need_entries"); !within(need, want, 0.1) {
		t.Errorf("tcp_max_tw_buckets: need %.0f, want %.0f ± 10%%", need, want)
	}
}

// TestTuneListenerBacklog: a listener with backlog 8 that never accepts,
// receiving bursts of connections, gets a somaxconn need at least its peak
// accept queue (checked against ss), is named with this process, and is
// told that its own backlog is the limit.
func TestTuneListenerBacklog(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	lfd, err := sockgen.Listen(netip.MustParseAddrPort("127.0.0.1:9100"), 8)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(lfd)
	var held []int
	defer func() {
		for _, fd := range held {
			unix.Close(fd)
		}
	}()
	burst := pace(50, 3*time.Second, func() error { // bounded: 150 connections
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		held = append(held, fd)
		if err := unix.Connect(fd, &unix.SockaddrInet4{Port: 9100, Addr: [4]byte{127, 0, 0, 1}}); err != nil && err != unix.EINPROGRESS {
			return err
		}
		return nil
	})
	rep := tuneJSON(t, "--duration", "2s", "--interval", "500ms")
	if err := burst.stop(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ss", "-Hlnt", "sport = :9100").Output()
	if err != nil {
		t.Skipf("ss: %v", err)
	}
	var recvQ float64
	fmt.Sscan(strings.Fields(string(out))[1], &recvQ)
	p := proposalOf(t, rep, "net.core.somaxconn")
	peak := input(t, p, "peak_accept_queue")
	if peak < recvQ || input(t, p, "need") < peak || recvQ != 9 {
		t.Errorf("peak %v (ss Recv-Q %v, want 9), need %v: want need ≥ peak ≥ ss", peak, recvQ, p.Inputs["need"])
	}
	if who := fmt.Sprintf("127.0.0.1:9100 (pid %d ", os.Getpid()); !strings.Contains(p.Subject, who) {
		t.Errorf("subject %q does not name %s", p.Subject, who)
	}
	if !strings.Contains(p.Advice, "backlog is 8") {
		t.Errorf("advice %q does not say the application's backlog (8) is the limit", p.Advice)
	}
}

// TestTuneBulkTransfer: a bulk transfer on loopback shows a positive RTT
// and delivery rate from tcp_info, and the BDP arithmetic.
func TestTuneBulkTransfer(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			io.Copy(io.Discard, c)
			c.Close()
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { // bounded: 5 s at most
		defer close(done)
		buf := make([]byte, 1<<20)
		for end := time.Now().Add(5 * time.Second); time.Now().Before(end); {
			if _, err := c.Write(buf); err != nil {
				return
			}
		}
	}()
	rep := tuneJSON(t, "--duration", "1s", "--interval", "500ms")
	c.Close()
	<-done
	for _, key := range []string{"net.ipv4.tcp_wmem", "net.ipv4.tcp_rmem"} {
		p := proposalOf(t, rep, key)
		if p.Verdict == tune.InsufficientData || input(t, p, "rtt_us") <= 0 || input(t, p, "rate_bytes_per_s") <= 0 ||
			!strings.Contains(p.Formula, "BDP") || !strings.Contains(p.Formula, "× 2 =") {
			t.Errorf("%s: %s %v %s", key, p.Verdict, p.Inputs, p.Formula)
		}
	}
	if from := proposalOf(t, rep, "net.ipv4.tcp_wmem").Inputs["rate_from"]; from != "delivery_rate" {
		t.Errorf("send rate from %v, want tcp_info's delivery_rate", from)
	}
}

// TestTuneTimeWaitOverflowStops: with tcp_max_tw_buckets at 50 under 200
// closes/s, TCPTimeWaitOverflow rises; the value tune proposes, written
// with sysctl -w, stops it rising under the same load.
func TestTuneTimeWaitOverflowStops(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	sysctlBin, err := exec.LookPath("sysctl")
	if err != nil {
		t.Skip("needs sysctl(8) to apply the proposal")
	}
	setSysctl(t, "net/ipv4/tcp_max_tw_buckets", "50")
	g := closer(t)
	load := pace(200, 10*time.Second, g.TimeWait)
	defer load.stop()
	time.Sleep(500 * time.Millisecond)
	p := proposalOf(t, tuneJSON(t, "--duration", "2s", "--interval", "1s"), "net.ipv4.tcp_max_tw_buckets")
	if p.Verdict != tune.Change || input(t, p, "overflows") <= 0 || !strings.Contains(p.Formula, "TCPTimeWaitOverflow rose") {
		t.Fatalf("want a change sized with the overflows: %s %v", p.Verdict, p.Inputs)
	}
	if out, err := exec.Command(sysctlBin, "-w", "net.ipv4.tcp_max_tw_buckets="+p.Proposed).CombinedOutput(); err != nil {
		t.Fatalf("sysctl -w: %v: %s", err, out)
	}
	before := twOverflow(t)
	time.Sleep(time.Second)
	if after := twOverflow(t); after != before {
		t.Errorf("TCPTimeWaitOverflow rose from %d to %d after tcp_max_tw_buckets = %s", before, after, p.Proposed)
	}
	if err := load.stop(); err != nil {
		t.Fatal(err)
	}
}

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

// paced calls fn at perSec per second, by the clock, for at most limit; a
// late call moves the schedule instead of bursting to catch up.
// It records when each call succeeded so a test can bound any one-second
// rate it saw.
type paced struct {
	mu   sync.Mutex
	at   []time.Time
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
		next, period, end := time.Now(), time.Second/time.Duration(perSec), time.Now().Add(limit)
		for next.Before(end) {
			select {
			case <-p.done:
				return
			case <-time.After(time.Until(next)):
			}
			if p.err = fn(); p.err != nil {
				return
			}
			now := time.Now()
			p.mu.Lock()
			p.at = append(p.at, now)
			p.mu.Unlock()
			if next = next.Add(period); next.Before(now) {
				next = now
			}
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

// rates is what a test saw of its own load while fn ran: the mean rate
// and the lowest and highest rate in any window of the length asked.
type rates struct{ mean, low, high float64 }

// covers reports whether a rate measured by another clock over windows of
// the same length lies within share of the load's own windows.
func (r rates) covers(got, share float64) bool {
	return got >= r.low*(1-share) && got <= r.high*(1+share)
}

func (r rates) String() string {
	return fmt.Sprintf("%.1f/s (windows %.1f-%.1f/s)", r.mean, r.low, r.high)
}

// measure runs fn and returns the rates of p's calls meanwhile, in
// windows of length w.
func (p *paced) measure(w time.Duration, fn func()) rates {
	t0 := time.Now()
	fn()
	t1 := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	r := rates{low: math.Inf(1)}
	n := 0
	for _, at := range p.at {
		if !at.Before(t0) && at.Before(t1) {
			n++
		}
	}
	r.mean = float64(n) / t1.Sub(t0).Seconds()
	for from := t0; !from.Add(w).After(t1); from = from.Add(10 * time.Millisecond) {
		c := 0
		for _, at := range p.at {
			if !at.Before(from) && at.Before(from.Add(w)) {
				c++
			}
		}
		r.low, r.high = min(r.low, float64(c)/w.Seconds()), max(r.high, float64(c)/w.Seconds())
	}
	if math.IsInf(r.low, 1) {
		r.low, r.high = r.mean, r.mean
	}
	return r
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
	rate := load.measure(2*time.Second, func() { rep = tuneJSON(t, "--duration", "6s", "--interval", "2s") })
	if err := load.stop(); err != nil {
		t.Fatal(err)
	}
	t.Logf("the test's own rate %v: want it × 60 s × 1.5", rate)
	ports := proposalOf(t, rep, "net.ipv4.ip_local_port_range")
	if need := input(t, ports, "need_ports"); !rate.covers(need/90, 0.1) || ports.Verdict != tune.Change {
		t.Errorf("port range: need %.0f, verdict %s; want %v × 90 ± 10%% and a change\n%s", need, ports.Verdict, rate, ports.Formula)
	}
	var lo, hi int
	if _, err := fmt.Sscan(ports.Proposed, &lo, &hi); err != nil || float64(hi-lo+1) < input(t, ports, "need_ports") || lo > 40000 {
		t.Errorf("proposed range %q does not hold the need", ports.Proposed)
	}
	tw := proposalOf(t, rep, "net.ipv4.tcp_max_tw_buckets")
	if need := input(t, tw, "need_entries"); !rate.covers(need/90, 0.1) {
		t.Errorf("tcp_max_tw_buckets: need %.0f, want %v × 90 ± 10%%", need, rate)
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

package audit_test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

// Bounds of the churn: it stops at whichever comes first, but not before
// two censuses ran (on a loaded machine one census can take seconds), and
// never after churnLimit.
const (
	churnTime        = 2 * time.Second
	churnLimit       = 30 * time.Second
	churnConnections = 3000
	churnChildren    = 60
	churnCensuses    = 200
)

// TestCensusUnderChurn takes censuses of the live host (from /proc and over
// netlink, with CLOSE_WAIT and all-state attribution) while sockets open
// and close on loopback and short-lived children inherit sockets and exit:
// sockets and processes vanishing mid-read are normal, so no census fails
// and every total is sane.
func TestCensusUnderChurn(t *testing.T) {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no /proc/net/tcp on this host")
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), churnLimit)
	defer cancel()
	deadline := time.Now().Add(churnTime)
	var wg sync.WaitGroup
	held := make(chan net.Conn, 64)
	wg.Go(func() { acceptLoop(ctx, ln, held) })
	wg.Go(func() { dialLoop(ctx, t, ln.Addr().String()) })
	wg.Go(func() { childLoop(ctx, held) })

	sources := []audit.CensusSource{audit.CensusProc, audit.CensusNetlink}
	n, closeWait := 0, 0
	for ; n < churnCensuses && ctx.Err() == nil && (n < 2 || time.Now().Before(deadline)); n++ {
		src := sources[n%len(sources)]
		// The first census attributes as users' do (the BPF iterator where
		// it runs: slow to load under the race detector), the others scan
		// <pid>/fd, whose reads race with the churn.
		how := audit.AttributionFDScan
		if n == 0 {
			how = audit.AttributionAuto
		}
		f, err := audit.Gather(audit.Options{ProcRoot: "/proc", Census: src, Attribution: how})
		if src == audit.CensusNetlink && errors.Is(err, audit.ErrNetlink) {
			t.Logf("netlink refused here, /proc censuses only: %v", err)
			sources = sources[:1]
			continue
		}
		if err != nil {
			t.Fatalf("census %d (%s) during churn: %v", n, src, err)
		}
		checkSane(t, f.Census)
		closeWait = max(closeWait, f.Census.Count(audit.CloseWait))
		if f.Owners != nil && (f.Owners.Unattributed < 0 || f.Owners.Unattributed > len(f.Census.CloseWaitInodes())) {
			t.Errorf("census %d: %d CLOSE_WAIT sockets unattributed of %d", n, f.Owners.Unattributed, len(f.Census.CloseWaitInodes()))
		}
		attributeAll(t, f.Census, how)
	}
	cancel()
	wg.Wait()
	if n < 2 {
		t.Fatalf("only %d censuses ran during the churn", n)
	}
	t.Logf("%d censuses during the churn, up to %d CLOSE_WAIT sockets in one", n, closeWait)
}

// checkSane checks a census's aggregates against one another.
func checkSane(t *testing.T, c *audit.Census) {
	t.Helper()
	if c == nil {
		t.Fatal("no census")
	}
	sum := 0
	for st, v := range c.States {
		if v < 0 {
			t.Errorf("state %d counts %d", st, v)
		}
		sum += v
	}
	if c.Unknown != 0 {
		t.Errorf("%d sockets in an unknown state", c.Unknown)
	}
	if c.Total() != sum+c.Unknown || sum == 0 {
		t.Errorf("total %d, states sum to %d: want equal and above 0 (the test's listener)", c.Total(), sum)
	}
	if len(c.Listeners) != c.Count(audit.Listen) {
		t.Errorf("%d listeners listed, %d counted", len(c.Listeners), c.Count(audit.Listen))
	}
	eph := 0
	for fl, u := range c.Ephemeral {
		if u.Sockets < 1 || u.TimeWait < 0 || u.TimeWait > u.Sockets {
			t.Errorf("flow %v: %+v", fl, u)
		}
		eph += u.Sockets
	}
	if eph > c.Total() {
		t.Errorf("%d ephemeral sockets of %d in all", eph, c.Total())
	}
}

// attributeAll attributes every socket of the census to processes.
func attributeAll(t *testing.T, c *audit.Census, how audit.AttributionMode) {
	t.Helper()
	inodes := map[uint64]audit.State{}
	for ino := range c.CloseWaitInodes() {
		inodes[ino] = audit.CloseWait
	}
	for _, l := range c.Listeners {
		if l.Inode != 0 {
			inodes[l.Inode] = audit.Listen
		}
	}
	pc, err := liveFS(t).WithAttribution(how).Processes(inodes)
	if err != nil {
		t.Fatalf("attribution during churn: %v", err)
	}
	if pc.Unattributed < 0 || pc.Unattributed > len(inodes) {
		t.Errorf("%d of %d sockets unattributed", pc.Unattributed, len(inodes))
	}
	for _, p := range pc.Processes {
		sum := 0
		for _, v := range p.States {
			sum += v
		}
		if p.Total != sum || p.Total < 1 {
			t.Errorf("process %d: total %d, states %v", p.PID, p.Total, p.States)
		}
	}
}

// acceptLoop accepts connections and hands them to held; when held is full
// it closes them.
func acceptLoop(ctx context.Context, ln net.Listener, held chan<- net.Conn) {
	go func() { <-ctx.Done(); ln.Close() }()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		select {
		case held <- c:
		default:
			c.Close()
		}
	}
}

// dialLoop opens and closes connections: the client closes first, so the
// server ends that are held sit in CLOSE_WAIT and the clients in FIN_WAIT2
// or TIME_WAIT.
func dialLoop(ctx context.Context, t *testing.T, addr string) {
	for i := 0; i < churnConnections && ctx.Err() == nil; i++ {
		c, err := net.DialTimeout("tcp4", addr, time.Second)
		if err != nil {
			if ctx.Err() == nil {
				t.Errorf("dial %s: %v", addr, err)
			}
			return
		}
		c.Close()
	}
}

// childLoop passes held sockets to short-lived children, which hold them
// until they exit; the parent's copies are closed once the child started.
func childLoop(ctx context.Context, held <-chan net.Conn) {
	var kids []*exec.Cmd
	defer func() {
		for _, k := range kids {
			k.Wait()
		}
		for {
			select {
			case c := <-held:
				c.Close()
			default:
				return
			}
		}
	}()
	for len(kids) < churnChildren && ctx.Err() == nil {
		var c net.Conn
		select {
		case c = <-held:
		case <-ctx.Done():
			return
		}
		f, err := c.(*net.TCPConn).File()
		if err == nil {
			k := exec.Command("sleep", "0.05")
			k.ExtraFiles = []*os.File{f}
			if k.Start() == nil {
				kids = append(kids, k)
			}
			f.Close()
		}
		// Keep some server ends in CLOSE_WAIT in this process a while.
		time.AfterFunc(100*time.Millisecond, func() { c.Close() })
	}
}

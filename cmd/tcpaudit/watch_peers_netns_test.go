package main

import (
	"errors"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/watch"
)

// backlogOneListener listens on 127.0.0.1 with a backlog of 1 and never
// accepts; it returns its address.
func backlogOneListener(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 1); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return "127.0.0.1:" + strconv.Itoa(sa.(*syscall.SockaddrInet4).Port)
}

// lateAckDialer connects with TCP_DEFER_ACCEPT set on the client socket,
// which makes the client delay the ACK of the SYN-ACK (the delayed-ACK
// timer, up to 200 ms): SYNs that arrive together all find room in the
// accept queue, and the late ACKs then overflow it, as under load.
func lateAckDialer() *net.Dialer {
	return &net.Dialer{Timeout: time.Second, Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		if cerr := rc.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_DEFER_ACCEPT, 1)
		}); cerr != nil {
			return cerr
		}
		return err
	}}
}

// dialAll dials addr n times at once and returns the connections made.
func dialAll(t *testing.T, d *net.Dialer, addr string, n int) []net.Conn {
	t.Helper()
	var mu sync.Mutex
	var conns []net.Conn
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			c, err := d.Dial("tcp", addr)
			if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Logf("dial %s: %v", addr, err)
			}
			if err == nil {
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	return conns
}

// TestWatchResets: a server that closes every accepted connection with
// SO_LINGER 0 sends an RST to each client, which receives it: both are
// counted by peer.
func TestWatchResets(t *testing.T) {
	if !enterWithBPF(t) {
		return
	}
	const m = 20
	ln, err := net.Listen("tcp", "127.0.0.2:0")
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
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}
	}()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.3")}}
	_, r := watchRun(t, func() {
		for range m {
			c, err := d.Dial("tcp", ln.Addr().String())
			if errors.Is(err, syscall.ECONNRESET) {
				continue // the RST came before connect() returned
			}
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = c.Read(make([]byte, 1)) // returns once the RST arrived
			c.Close()
		}
	}, "--duration", "2s")
	got := map[string]watch.PeerResets{}
	for _, p := range r.Resets {
		got[p.Peer] = p
	}
	if got["127.0.0.3"].Sent.Count != m || got["127.0.0.2"].Received.Count != m {
		t.Errorf("resets by peer %+v: want %d sent to 127.0.0.3 and %d received from 127.0.0.2", r.Resets, m, m)
	}
}

// TestWatchSynAckRetransmits: a listener with a backlog of 1 that never
// accepts drops the ACKs that overflow its queue; the handshakes left
// half-done make it retransmit SYN-ACKs, counted for its port. Once its
// queue is full it drops SYNs too, and a client retransmits its SYN:
// counted for the listener as destination.
func TestWatchSynAckRetransmits(t *testing.T) {
	if !enterWithBPF(t) {
		return
	}
	addr := backlogOneListener(t)
	var late sync.WaitGroup
	defer late.Wait()
	code, r := watchRun(t, func() {
		dialAll(t, lateAckDialer(), addr, 8)
		late.Go(func() {
			// Once the late ACKs (200 ms) have filled the queue, the SYN
			// is dropped; its first retransmission leaves after 1 s
			// (TCP_TIMEOUT_INIT).
			time.Sleep(400 * time.Millisecond)
			if c, err := net.DialTimeout("tcp", addr, 1500*time.Millisecond); err == nil {
				c.Close()
			}
		})
	}, "--duration", "5s") // room for a SYN-ACK retransmission (1 s, then 2 s) on a loaded machine
	var synack, rtx uint64
	for _, e := range r.SynAckRetransmits {
		if e.Endpoint == addr {
			synack = e.Count
		}
	}
	for _, e := range r.Retransmits {
		if e.Endpoint == addr {
			rtx = e.Count
		}
	}
	if synack == 0 || rtx == 0 {
		t.Fatalf("SYN-ACK retransmits %+v, retransmits %+v: want some by and toward %s", r.SynAckRetransmits, r.Retransmits, addr)
	}
	f := findingsOf(r, watch.SynAckRetransmits)
	if code != exitFindings || len(f) != 1 || f[0].Subjects[0].Local != addr {
		t.Errorf("exit %d, findings %+v: want one finding about %s", code, f, addr)
	}
}

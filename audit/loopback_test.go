package audit_test

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// loopback holds real sockets on loopback in the states the kernel test
// compares with ss. Every connection goes to one of its listeners, so the
// ports of both ends identify the test's own sockets.
type loopback struct {
	service, queue net.Listener // queue is never accepted from
	v6             net.Listener // nil when IPv6 loopback is unavailable
	held           []net.Conn
	// ends holds the (local port, remote port) of every socket made, both
	// ends of each connection and (port, 0) for listeners: a stale socket
	// of an earlier run that reuses one port does not match both.
	ends map[portPair]bool
}

// portPair is a socket's local and remote port.
type portPair struct{ local, remote uint16 }

// The sockets the kernel test makes.
const (
	lbEstablished = 3 // accepted connections to service: 2 sockets each
	lbTimeWait    = 2 // client closes first, then the server: client in TIME_WAIT
	lbCloseWait   = 2 // client half-closes, server keeps its end: CLOSE_WAIT + FIN_WAIT2
	lbQueued      = 3 // connections left in queue's accept queue
)

// expected returns the per-state counts of the test's sockets.
func (l *loopback) expected() map[string]int {
	want := map[string]int{
		"LISTEN":      2,
		"ESTABLISHED": 2*lbEstablished + 2*lbQueued,
		"TIME_WAIT":   lbTimeWait,
		"CLOSE_WAIT":  lbCloseWait,
		"FIN_WAIT2":   lbCloseWait,
	}
	if l.v6 != nil { // one connection in each state over IPv6
		want["LISTEN"]++
		want["ESTABLISHED"] += 2
		want["TIME_WAIT"]++
		want["CLOSE_WAIT"]++
		want["FIN_WAIT2"]++
	}
	return want
}

// closeWaits returns the number of CLOSE_WAIT sockets made.
func (l *loopback) closeWaits() int { return l.expected()["CLOSE_WAIT"] }

func listenPort(ln net.Listener) uint16 { return uint16(ln.Addr().(*net.TCPAddr).Port) }

// record adds both ends of a client connection to l.ends.
func (l *loopback) record(client net.Conn) {
	a, b := client.LocalAddr().(*net.TCPAddr), client.RemoteAddr().(*net.TCPAddr)
	l.ends[portPair{uint16(a.Port), uint16(b.Port)}] = true
	l.ends[portPair{uint16(b.Port), uint16(a.Port)}] = true
}

// openLoopback creates the sockets; t.Cleanup closes every one of them.
func openLoopback(t *testing.T) *loopback {
	t.Helper()
	l := &loopback{ends: map[portPair]bool{}}
	var err error
	if l.service, err = net.Listen("tcp4", "127.0.0.1:0"); err != nil {
		t.Fatalf("listen: %v", err)
	}
	if l.queue, err = net.Listen("tcp4", "127.0.0.1:0"); err != nil {
		t.Fatalf("listen: %v", err)
	}
	if l.v6, err = net.Listen("tcp6", "[::1]:0"); err != nil {
		t.Logf("no IPv6 loopback (%v): tcp6 is not exercised", err)
		l.v6 = nil
	}
	t.Cleanup(l.close)
	for _, ln := range []net.Listener{l.service, l.queue, l.v6} {
		if ln != nil {
			l.ends[portPair{listenPort(ln), 0}] = true
		}
	}
	for range lbEstablished {
		l.pair(t, l.service)
	}
	for range lbTimeWait {
		l.timeWait(t, l.service)
	}
	for range lbCloseWait {
		l.closeWait(t, l.service)
	}
	for range lbQueued {
		c, err := net.DialTimeout("tcp4", l.queue.Addr().String(), 2*time.Second)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		l.held = append(l.held, c)
		l.record(c)
	}
	if l.v6 != nil {
		l.pair(t, l.v6)
		l.timeWait(t, l.v6)
		l.closeWait(t, l.v6)
	}
	return l
}

// timeWait makes a connection to ln whose client ends in TIME_WAIT.
func (l *loopback) timeWait(t *testing.T, ln net.Listener) {
	t.Helper()
	c, s := l.pair(t, ln)
	closeClientFirst(t, c, s)
}

// closeWait makes a connection to ln whose client half-closes: the server
// end stays in CLOSE_WAIT (held open), the client in FIN_WAIT2.
func (l *loopback) closeWait(t *testing.T, ln net.Listener) {
	t.Helper()
	c, _ := l.pair(t, ln)
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatalf("half-close: %v", err)
	}
}

// pair connects to ln and accepts; both ends are held open.
func (l *loopback) pair(t *testing.T, ln net.Listener) (client, server net.Conn) {
	t.Helper()
	client, err := net.DialTimeout(ln.Addr().Network(), ln.Addr().String(), 2*time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	l.held = append(l.held, client)
	l.record(client)
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(2 * time.Second))
	if server, err = ln.Accept(); err != nil {
		t.Fatalf("accept: %v", err)
	}
	l.held = append(l.held, server)
	return client, server
}

// closeClientFirst closes the client, waits for its FIN at the server, then
// closes the server: the client end goes to TIME_WAIT.
func closeClientFirst(t *testing.T, client, server net.Conn) {
	t.Helper()
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	server.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := server.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("server read after client close: %v, want EOF", err)
	}
	if err := server.Close(); err != nil {
		t.Fatal(err)
	}
}

func (l *loopback) close() {
	for _, c := range l.held {
		c.Close()
	}
	for _, ln := range []net.Listener{l.service, l.queue, l.v6} {
		if ln != nil {
			ln.Close()
		}
	}
}

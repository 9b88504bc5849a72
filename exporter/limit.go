package exporter

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// limitListener keeps at most max connections open. When a new one comes
// at the limit, the connection that has waited longest without a request
// in progress (idle keep-alive, or opened and silent) is closed to make
// room; when every one is serving a request, the new one is closed. So
// idle connections, however many a client opens, never lock a scraper or
// /healthz out, and never exhaust the descriptors.
type limitListener struct {
	net.Listener
	max int

	mu    sync.Mutex
	conns map[net.Conn]connState
}

// connState is what the server last said about a connection.
type connState struct {
	busy  bool
	since time.Time
}

func newLimitListener(ln net.Listener, max int) *limitListener {
	return &limitListener{Listener: ln, max: max, conns: make(map[net.Conn]connState)}
}

// Accept returns the next connection once there is room for it.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.admit(c) {
			return c, nil
		}
		c.Close()
	}
}

// admit records c, closing the longest-waiting idle connection when at
// the limit; it reports false when no connection could make room.
func (l *limitListener) admit(c net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.conns) >= l.max {
		var victim net.Conn
		var oldest time.Time
		for vc, st := range l.conns {
			if !st.busy && (victim == nil || st.since.Before(oldest)) {
				victim, oldest = vc, st.since
			}
		}
		if victim == nil {
			return false
		}
		victim.Close()
		delete(l.conns, victim)
	}
	l.conns[c] = connState{since: time.Now()}
	return true
}

// track follows the server's view of each connection (http.Server's
// ConnState hook).
func (l *limitListener) track(c net.Conn, s http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.conns[c]; !ok {
		return // closed to make room, or never admitted
	}
	switch s {
	case http.StateActive:
		l.conns[c] = connState{busy: true, since: time.Now()}
	case http.StateIdle:
		l.conns[c] = connState{since: time.Now()}
	case http.StateClosed, http.StateHijacked:
		delete(l.conns, c)
	}
}

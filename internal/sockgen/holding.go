package sockgen

import (
	"io"
	"net"
	"net/netip"
	"sync"
	"time"
)

// HoldingServer listens on 127.0.0.1 and closes each connection it accepts
// delay after the client closed its end, or, with delay 0, only when stop is
// called: a client that closes meanwhile leaves its socket in FIN_WAIT2
// (orphaned once the client's descriptor is gone too). stop closes the
// listener and every connection still held.
func HoldingServer(delay time.Duration) (addr netip.AddrPort, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return netip.AddrPort{}, nil, err
	}
	var mu sync.Mutex
	var held []net.Conn
	stop = func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
		held = nil
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if delay == 0 {
				mu.Lock()
				held = append(held, c)
				mu.Unlock()
				continue
			}
			go func() {
				_, _ = io.Copy(io.Discard, c)
				time.Sleep(delay)
				c.Close()
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).AddrPort(), stop, nil
}

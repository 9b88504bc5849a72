package main

import (
	"net"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/netns"
)

// TestNetnsOwnerInAnotherNamespace: the test process (in the host's
// namespace) opens a listener inside a namespace it made and holds the
// connections it accepts there after their clients closed (CLOSE_WAIT).
// check --netns searches the namespace's own processes only: its note
// says so and that a process of another namespace may hold them, never
// that no process holds them or that they are in another PID namespace.
func TestNetnsOwnerInAnotherNamespace(t *testing.T) {
	netnsPrereqs(t)
	name := nstest.New(t)
	ns, err := netns.Resolve(name, "/proc")
	if err != nil {
		t.Fatal(err)
	}
	var ln net.Listener
	if err := netns.Do(ns, func() (err error) { ln, err = net.Listen("tcp", "127.0.0.1:0"); return err }); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	const n = 3
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for range n {
		var c net.Conn
		if err := netns.Do(ns, func() (err error) { c, err = net.Dial("tcp", ln.Addr().String()); return err }); err != nil {
			t.Fatal(err)
		}
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, s)
		c.Close()
	}
	_, rep := checkJSON(t, "--netns", name, "--fail-on", "never")
	note := strings.Join(rep.Notes, "\n")
	if !strings.Contains(note, "CLOSE_WAIT sockets not attributed: no process of this network namespace holds them") ||
		!strings.Contains(note, "a process of another network namespace may hold them") || strings.Contains(note, "PID namespace") {
		t.Errorf("notes:\n%s\nwant the %d CLOSE_WAIT sockets said to be searched among the namespace's processes only", note, n)
	}
}

package main

import (
	"encoding/json"
	"net"
	"os"
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

	// The BPF iterator asked for by name walks every process of the host:
	// it finds the test process holding them.
	code, out, stderr := runCLI(t, "sockets", "--netns", name, "--attribution", "bpf", "--format", "json")
	if code == exitError && strings.Contains(stderr, "iterator unavailable") {
		t.Skipf("no BPF iterator here: %s", stderr)
	}
	var doc struct {
		Namespaces []struct {
			View struct {
				Processes []struct {
					PID    int            `json:"pid"`
					States map[string]int `json:"states"`
				} `json:"processes"`
			} `json:"view"`
		} `json:"namespaces"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Namespaces) != 1 {
		t.Fatalf("sockets --netns %s --attribution bpf: exit %d, %v: %s%s", name, code, err, out, stderr)
	}
	if ps := doc.Namespaces[0].View.Processes; len(ps) != 1 || ps[0].PID != os.Getpid() || ps[0].States["CLOSE_WAIT"] != n {
		t.Errorf("sockets --netns %s --attribution bpf: processes %+v, want pid %d holding %d CLOSE_WAIT", name, ps, os.Getpid(), n)
	}
}

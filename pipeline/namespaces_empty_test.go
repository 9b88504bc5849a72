//go:build linux && !tcpaudit_portable

package pipeline_test

import (
	"context"
	"io"
	"net"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/pipeline"
)

// TestRunNamespacesNoSockets audits three namespaces made by the test: one
// with no TCP socket, one whose only socket is in TIME_WAIT (sockstat's
// inuse is 0 there, tw is 1), and one with an IPv6 listener only (counted
// in sockstat6). The first is not dumped and says so; the others are,
// and each census counts what ss -tan counts inside.
func TestRunNamespacesNoSockets(t *testing.T) {
	empty, tw, v6 := nstest.New(t), nstest.New(t), nstest.New(t)
	var nss []netns.Namespace
	for _, name := range []string{empty, tw, v6} {
		ns, err := netns.Resolve(name, "/proc")
		if err != nil {
			t.Fatal(err)
		}
		nss = append(nss, ns)
	}
	if err := netns.Do(nss[1], timeWaitOnly); err != nil {
		t.Fatal(err)
	}
	var listener net.Listener
	err := netns.Do(nss[2], func() error {
		var err error
		listener, err = net.Listen("tcp6", "[::1]:0")
		return err
	})
	if err != nil {
		t.Skipf("no IPv6 on loopback in a fresh namespace: %v", err)
	}
	defer listener.Close()

	audits, err := pipeline.RunNamespaces(context.Background(), pipeline.Options{ProcRoot: "/proc", Today: time.Now()}, nss)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{empty, tw, v6} {
		a := audits[i].Audit
		if a == nil || a.Result.Sockets == nil {
			t.Fatalf("%s: not audited (%s) or no census", name, audits[i].Skipped)
		}
		if diff := cmp.Diff(ssIn(t, name), nonZero(a.Result.Sockets.States)); diff != "" {
			t.Errorf("%s: states differ from ss -tan inside (-ss +tcpaudit):\n%s", name, diff)
		}
		noted := slices.Contains(a.Result.Notes, audit.NoSocketsNote)
		if noted != (name == empty) {
			t.Errorf("%s: note %q present %v; want it in the namespace without sockets only (notes %q)", name, audit.NoSocketsNote, noted, a.Result.Notes)
		}
	}
	if n := audits[1].Audit.Result.Sockets.States["TIME_WAIT"]; n != 1 {
		t.Errorf("%s: %d TIME_WAIT sockets, want 1", tw, n)
	}
}

// timeWaitOnly leaves one socket in the calling thread's namespace, in
// TIME_WAIT: a loopback connection whose client closes first, then its
// server and listener.
func timeWaitOnly() error {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer l.Close()
	c, err := net.Dial("tcp4", l.Addr().String())
	if err != nil {
		return err
	}
	s, err := l.Accept()
	if err != nil {
		c.Close()
		return err
	}
	c.Close()
	io.Copy(io.Discard, s) // until the client's FIN
	return s.Close()
}

// ssIn counts the sockets ss -tan shows inside the named namespace, by
// state.
func ssIn(t *testing.T, name string) map[string]int {
	t.Helper()
	out, err := exec.Command("ip", "netns", "exec", name, "ss", "-tanH").Output()
	if err != nil {
		t.Skipf("ss -tan inside %s: %v", name, err)
	}
	names := map[string]string{"ESTAB": "ESTABLISHED", "TIME-WAIT": "TIME_WAIT", "LISTEN": "LISTEN",
		"FIN-WAIT-2": "FIN_WAIT2", "CLOSE-WAIT": "CLOSE_WAIT", "LAST-ACK": "LAST_ACK"}
	states := map[string]int{}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			name, ok := names[f[0]]
			if !ok {
				name = f[0]
			}
			states[name]++
		}
	}
	return states
}

// nonZero drops the states counted 0.
func nonZero(m map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

//go:build linux && !tcpaudit_portable

package audit_test

import (
	stdcmp "cmp"
	"errors"
	"maps"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/internal/sockgen"
	"github.com/tcpaudit/tcpaudit/netns"
)

// passCase is a namespace made by the test, what it holds, and whether
// its census may come from the socket pass.
type passCase struct {
	name  string
	setup func(t *testing.T, g *sockgen.Generator, ns string)
	pass  bool
	// mark is a state ss must show in the namespace: the socket no
	// process holds is there.
	mark string
}

// passPort is the port of the generator's listener in every namespace.
const passPort = 7000

// TestSocketPassNamespaces makes a namespace whose sockets are all held by
// a process (this test's, which lives in another namespace), and one each
// with a TIME_WAIT socket, an orphaned FIN_WAIT2 socket, a connection in a
// listener's accept queue and a SYN_RECV request: sockets no process
// holds. The census of the first comes from the pass, with its CLOSE_WAIT
// sockets attributed to this process; the others take the walk. Every
// census counts what ss -tan counts inside, and a census from the pass
// equals the walk's.
func TestSocketPassNamespaces(t *testing.T) {
	cases := []passCase{
		{"owned", owned, true, "CLOSE_WAIT"},
		{"time-wait", func(t *testing.T, g *sockgen.Generator, _ string) {
			makePlan(t, g, sockgen.Plan{Established: 4, TimeWait: 2})
		}, false, "TIME_WAIT"},
		{"orphan", orphanFinWait2, false, "FIN_WAIT2"},
		{"accept-queue", func(t *testing.T, g *sockgen.Generator, _ string) {
			makePlan(t, g, sockgen.Plan{Established: 4, FullQueue: 2})
		}, false, "ESTABLISHED"},
		{"syn-recv", synRecv, false, "SYN_RECV"},
	}
	nss := make([]netns.Namespace, len(cases))
	names := make([]string, len(cases))
	for i, c := range cases {
		names[i] = nstest.New(t)
		ns, err := netns.Resolve(names[i], "/proc")
		if err != nil {
			t.Fatal(err)
		}
		nss[i] = ns
		var g *sockgen.Generator
		err = netns.Do(ns, func() error {
			var err error
			g, err = sockgen.New([]uint16{passPort}, []netip.Addr{netip.MustParseAddr("127.0.0.1")})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(g.Close)
		if err := netns.Do(ns, func() error { c.setup(t, g, names[i]); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	pass, err := audit.TakePass()
	if errors.Is(err, audit.ErrNoPass) {
		t.Skipf("no socket pass here (root, BTF and Linux 5.11 needed): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		f := gatherIn(t, nss[i], pass.Namespace(nss[i].Inode))
		ss := ssInNamespace(t, names[i])
		if ss[c.mark] == 0 {
			t.Errorf("%s: ss -tan shows no %s: %v", c.name, c.mark, ss)
		}
		if diff := cmp.Diff(ss, f.Census.ByState()); diff != "" {
			t.Errorf("%s: census differs from ss -tan inside (-ss +tcpaudit):\n%s", c.name, diff)
		}
		if f.CensusPass != c.pass {
			t.Errorf("%s: census from the pass %v, want %v (note %q)", c.name, f.CensusPass, c.pass, f.CensusNote)
		}
		walk := gatherIn(t, nss[i], nil)
		if diff := cmp.Diff(walk.Census.ByState(), f.Census.ByState()); diff != "" {
			t.Errorf("%s: census differs from the walk's (-walk +pass):\n%s", c.name, diff)
		}
		if !c.pass {
			continue
		}
		if !slices.Equal(byInode(walk.Census.Listeners), byInode(f.Census.Listeners)) { // in the table's order, or the pass's
			t.Errorf("%s: listeners %+v, the walk's %+v", c.name, f.Census.Listeners, walk.Census.Listeners)
		}
		if !maps.Equal(walk.Census.Ephemeral, f.Census.Ephemeral) {
			t.Errorf("%s: ephemeral ports %v, the walk's %v", c.name, f.Census.Ephemeral, walk.Census.Ephemeral)
		}
		if len(f.CloseWaitInfo) != 3 || len(walk.CloseWaitInfo) != 3 || f.CloseWaitInfo[0].Idle-walk.CloseWaitInfo[0].Idle > 5*time.Second {
			t.Errorf("%s: CLOSE_WAIT info %+v, the walk's %+v: want 3 each, idle alike", c.name, f.CloseWaitInfo, walk.CloseWaitInfo)
		}
		if a := f.Owners; a == nil || len(a.Owners) != 1 || a.Owners[0].PID != os.Getpid() || a.Owners[0].Sockets != 3 || a.Unattributed != 0 {
			t.Errorf("%s: owners %+v, want pid %d holding 3 CLOSE_WAIT sockets", c.name, a, os.Getpid())
		}
	}
}

// byInode returns the listeners ordered by inode.
func byInode(ls []audit.Listener) []audit.Listener {
	return slices.SortedFunc(slices.Values(ls), func(a, b audit.Listener) int { return stdcmp.Compare(a.Inode, b.Inode) })
}

// gatherIn gathers the facts of ns from inside it, with the pass's
// sockets of ns (nil: the walk).
func gatherIn(t *testing.T, ns netns.Namespace, p *audit.PassSockets) *audit.Facts {
	t.Helper()
	var f *audit.Facts
	err := netns.Do(ns, func() error {
		var err error
		f, err = audit.Gather(audit.Options{ProcRoot: "/proc", Scope: &audit.Scope{Net: netns.ThreadNet, PIDs: ns.Members(), Pass: p}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if f.Census == nil {
		t.Fatalf("%s: no census", ns)
	}
	return f
}

func makePlan(t *testing.T, g *sockgen.Generator, p sockgen.Plan) {
	t.Helper()
	if err := g.Make(p); err != nil {
		t.Fatal(err)
	}
}

// owned makes sockets every one of which a descriptor of this process
// holds: ESTABLISHED pairs and CLOSE_WAIT sockets with their FIN_WAIT2
// peers on IPv4, and an IPv6 listener with one connection (counted in
// net/sockstat6).
func owned(t *testing.T, g *sockgen.Generator, _ string) {
	makePlan(t, g, sockgen.Plan{Established: 20, CloseWait: 3})
	l, err := sockgen.Listen(netip.MustParseAddrPort("[::1]:7002"), 16)
	if err != nil {
		t.Skipf("no IPv6 on loopback: %v", err)
	}
	g.Held = append(g.Held, l)
	c, err := sockgen.Connect(netip.MustParseAddrPort("[::1]:7002"))
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := unix.Accept4(l, unix.SOCK_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	g.Held = append(g.Held, c, s)
}

// orphanFinWait2 leaves a client socket closed toward a server that never
// closes: the client's socket is an orphan in FIN_WAIT2, which no
// descriptor holds.
func orphanFinWait2(t *testing.T, g *sockgen.Generator, _ string) {
	makePlan(t, g, sockgen.Plan{Established: 4})
	c, s, err := g.Pair()
	if err != nil {
		t.Fatal(err)
	}
	g.Held = append(g.Held, s)
	unix.Close(c)
}

// synRecv drops, inside the namespace, the client's ACK of the handshake
// toward a second listener: the server side stays a SYN_RECV request, no
// socket of its own and no descriptor.
func synRecv(t *testing.T, g *sockgen.Generator, ns string) {
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("needs nft(8) to drop the handshake's last ACK")
	}
	rules := "add table inet passtest\n" +
		"add chain inet passtest in { type filter hook input priority 0 ; }\n" +
		"add rule inet passtest in tcp dport 7001 tcp flags & (syn | ack) == ack drop\n"
	cmd := exec.Command("ip", "netns", "exec", ns, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(rules)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("nft: %v: %s", err, out)
	}
	l, err := sockgen.Listen(netip.MustParseAddrPort("127.0.0.1:7001"), 16)
	if err != nil {
		t.Fatal(err)
	}
	g.Held = append(g.Held, l)
	c, err := sockgen.Connect(netip.MustParseAddrPort("127.0.0.1:7001"))
	if err != nil {
		t.Fatal(err)
	}
	g.Held = append(g.Held, c)
}

// ssInNamespace counts the sockets ss -tan shows inside the named namespace by
// kernel state name.
func ssInNamespace(t *testing.T, name string) map[string]int {
	t.Helper()
	out, err := exec.Command("ip", "netns", "exec", name, "ss", "-tanH").Output()
	if err != nil {
		t.Skipf("ss -tan inside %s: %v", name, err)
	}
	states := map[string]int{}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			states[ssStateNames[f[0]]]++
		}
	}
	return states
}

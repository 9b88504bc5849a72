//go:build linux && !tcpaudit_portable

package audit_test

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/sys/unix"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/internal/sockgen"
)

// plan is the set of sockets the namespace tests create: every state that
// loopback reaches without packet loss.
var plan = sockgen.Plan{Established: 6, TimeWait: 5, CloseWait: 4, FullQueue: 3, FinWait1: 2, LastAck: 2}

// makeSockets creates plan's sockets plus an IPv6 pair, in the current
// (fresh) namespace.
func makeSockets(t *testing.T) *sockgen.Generator {
	t.Helper()
	dsts := []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")}
	g, err := sockgen.New([]uint16{1000, 1001}, dsts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	if err := g.Make(plan); err != nil {
		t.Fatal(err)
	}
	l6, err := sockgen.Listen(netip.MustParseAddrPort("[::1]:1002"), 16)
	if err != nil {
		t.Fatal(err)
	}
	c6, err := sockgen.Connect(netip.MustParseAddrPort("[::1]:1002"))
	if err != nil {
		t.Fatal(err)
	}
	g.Held = append(g.Held, l6, c6) // the accepted side waits in the queue
	g.Held = append(g.Held, synSent(t)...)
	return g
}

// synSent fills the accept queue of a listener with backlog 0 (one
// connection) and starts one more connection: the listener drops its SYN
// (ListenOverflows), so the socket stays in SYN_SENT, retrying. It adds a
// listener, an ESTABLISHED pair and a SYN_SENT socket.
func synSent(t *testing.T) []int {
	t.Helper()
	ap := netip.MustParseAddrPort("127.0.0.1:1003")
	l, err := sockgen.Listen(ap, 0)
	if err != nil {
		t.Fatal(err)
	}
	queued, err := sockgen.Connect(ap)
	if err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Connect(fd, &unix.SockaddrInet4{Port: 1003, Addr: [4]byte{127, 0, 0, 1}}); err != unix.EINPROGRESS {
		t.Fatalf("connect to a full listener: %v, want EINPROGRESS", err)
	}
	return []int{l, queued, fd}
}

func netlinkCensus(t *testing.T, states audit.StateSet) *audit.Census {
	t.Helper()
	c := audit.NewCensus(portRange(t))
	netlinkInto(t, c, states)
	return c
}

// netlinkInto adds the sockets in states to c over netlink.
func netlinkInto(t *testing.T, c *audit.Census, states audit.StateSet) {
	t.Helper()
	nl, err := audit.OpenNetlink()
	if err != nil {
		t.Fatal(err)
	}
	defer nl.Close()
	if err := nl.Census(c, states); err != nil {
		t.Fatal(err)
	}
}

func procCensus(t *testing.T) *audit.Census {
	t.Helper()
	c := audit.NewCensus(portRange(t))
	procInto(t, c)
	return c
}

// procInto adds the sockets of /proc/net/tcp and tcp6 to c.
func procInto(t *testing.T, c *audit.Census) {
	t.Helper()
	for _, f := range []struct {
		path string
		v6   bool
	}{{"/proc/net/tcp", false}, {"/proc/net/tcp6", true}} {
		fh, err := os.Open(f.path)
		if err != nil {
			t.Fatal(err)
		}
		err = audit.ParseTCP(fh, f.v6, c)
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.path, err)
		}
	}
}

func portRange(t *testing.T) (uint16, uint16) {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		t.Fatal(err)
	}
	var lo, hi uint16
	if _, err := fmt.Sscan(string(b), &lo, &hi); err != nil {
		t.Fatalf("ip_local_port_range %q: %v", b, err)
	}
	return lo, hi
}

// ssStates runs `ss -tan` and counts its lines by state, with the kernel's
// state names.
func ssStates(t *testing.T) map[string]int {
	t.Helper()
	out, err := exec.Command("ss", "-tanH").Output()
	if err != nil {
		t.Skipf("ss -tanH: %v", err)
	}
	names := map[string]string{"ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECV",
		"FIN-WAIT-1": "FIN_WAIT1", "FIN-WAIT-2": "FIN_WAIT2", "TIME-WAIT": "TIME_WAIT",
		"UNCONN": "CLOSE", "CLOSE-WAIT": "CLOSE_WAIT", "LAST-ACK": "LAST_ACK", "LISTEN": "LISTEN", "CLOSING": "CLOSING"}
	m := make(map[string]int)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			m[names[f[0]]]++
		}
	}
	return m
}

// TestNetlinkMatchesProcAndSS builds sockets in every reachable state in a
// fresh namespace and checks that the netlink and /proc sources produce the
// same aggregates, and that both agree with ss.
func TestNetlinkMatchesProcAndSS(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	makeSockets(t)
	nl := netlinkCensus(t, audit.AllStates)
	pr := procCensus(t)
	ss := ssStates(t)
	want := map[string]int{"LISTEN": 5, "ESTABLISHED": plan.Established + 2*plan.FullQueue + 4 + plan.FinWait1,
		"TIME_WAIT": plan.TimeWait, "CLOSE_WAIT": plan.CloseWait, "FIN_WAIT2": plan.CloseWait + plan.LastAck,
		"FIN_WAIT1": plan.FinWait1, "LAST_ACK": plan.LastAck, "SYN_SENT": 1}
	for name, c := range map[string]*audit.Census{"netlink": nl, "proc": pr} {
		if d := cmp.Diff(want, c.ByState()); d != "" {
			t.Errorf("%s census by state (-want +got):\n%s", name, d)
		}
	}
	if d := cmp.Diff(ss, nl.ByState()); d != "" {
		t.Errorf("netlink vs ss -tan (-ss +netlink):\n%s", d)
	}
	if d := cmp.Diff(pr, nl, censusOpts()...); d != "" {
		t.Errorf("proc vs netlink census (-proc +netlink):\n%s", d)
	}
	if d := cmp.Diff(pr.CloseWaitInodes(), nl.CloseWaitInodes()); d != "" {
		t.Errorf("proc vs netlink CLOSE_WAIT inodes (-proc +netlink):\n%s", d)
	}
	checkBacklogs(t, nl)
}

// censusOpts compare two censuses ignoring listener order and the backlog,
// which only netlink knows.
func censusOpts() []cmp.Option {
	return []cmp.Option{
		cmp.AllowUnexported(audit.Census{}),
		// The kept CLOSE_WAIT inodes are compared through CloseWaitInodes.
		cmpopts.IgnoreFields(audit.Census{}, "closeWait"),
		cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
		cmpopts.IgnoreFields(audit.Listener{}, "Backlog", "Drops"), // netlink only
		cmpopts.SortSlices(func(a, b audit.Listener) bool {
			return a.Port < b.Port || a.Port == b.Port && a.Addr.Less(b.Addr)
		}),
	}
}

// checkBacklogs checks the listeners netlink reports: backlog 4096 clamped
// to somaxconn, and the full queue of the plan's FullQueue listener.
func checkBacklogs(t *testing.T, c *audit.Census) {
	t.Helper()
	full := slices.IndexFunc(c.Listeners, func(l audit.Listener) bool { return l.AcceptQueue == uint32(plan.FullQueue) })
	if full < 0 {
		t.Fatalf("no listener with %d queued connections: %+v", plan.FullQueue, c.Listeners)
	}
	if l := c.Listeners[full]; l.Backlog != uint32(plan.FullQueue-1) {
		t.Errorf("full listener backlog = %d, want %d", l.Backlog, plan.FullQueue-1)
	}
	for _, l := range c.Listeners {
		if l.Port == 1000 && l.Backlog == 0 {
			t.Errorf("listener %v: backlog not reported", l)
		}
	}
}

// TestNetlinkStateFilter asks the kernel for CLOSE_WAIT sockets only and
// checks that nothing else is counted.
func TestNetlinkStateFilter(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	makeSockets(t)
	c := netlinkCensus(t, audit.StatesOf(audit.CloseWait))
	if d := cmp.Diff(map[string]int{"CLOSE_WAIT": plan.CloseWait}, c.ByState()); d != "" {
		t.Errorf("CLOSE_WAIT-only dump (-want +got):\n%s", d)
	}
	if len(c.CloseWaitInodes()) != plan.CloseWait {
		t.Errorf("%d CLOSE_WAIT inodes, want %d", len(c.CloseWaitInodes()), plan.CloseWait)
	}
}

// TestCloseWaitOwnersMatchSS attributes the CLOSE_WAIT sockets found by
// netlink and compares the owner with `ss -tanp state close-wait`.
func TestCloseWaitOwnersMatchSS(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	makeSockets(t)
	c := netlinkCensus(t, audit.StatesOf(audit.CloseWait))
	a, err := liveFS(t).Owners(c.CloseWaitInodes())
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ss", "-tanpH", "state", "close-wait").Output()
	if err != nil {
		t.Skipf("ss -tanp: %v", err)
	}
	ssPids := map[int]int{}
	for _, m := range regexp.MustCompile(`pid=(\d+),`).FindAllStringSubmatch(string(out), -1) {
		pid, _ := strconv.Atoi(m[1])
		ssPids[pid]++
	}
	got := map[int]int{}
	for _, o := range a.Owners {
		got[o.PID] = o.Sockets
	}
	if d := cmp.Diff(ssPids, got); d != "" {
		t.Errorf("CLOSE_WAIT owners (-ss +tcpaudit):\n%s", d)
	}
	if got[os.Getpid()] != plan.CloseWait || a.Unattributed != 0 {
		t.Errorf("owners %+v, unattributed %d: want pid %d holding %d", a.Owners, a.Unattributed, os.Getpid(), plan.CloseWait)
	}
}

// TestSourcesAgreeOnOptionalAggregates fills the optional aggregates
// (sockets by local port, remote endpoints, the state of every inode) from
// netlink and from /proc over the same sockets: they must be equal.
func TestSourcesAgreeOnOptionalAggregates(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	makeSockets(t)
	withOptional := func() *audit.Census {
		lo, hi := portRange(t)
		// WithRemotes(100000) never evicts here: counts are exact.
		return audit.NewCensus(lo, hi, audit.WithPortCounts(), audit.WithRemotes(100000), audit.WithInodes())
	}
	nl, pr := withOptional(), withOptional()
	netlinkInto(t, nl, audit.AllStates)
	procInto(t, pr)
	if len(nl.Inodes()) == 0 || nl.Remotes().Top(1) == nil {
		t.Fatalf("netlink census filled no optional aggregate: %d inodes", len(nl.Inodes()))
	}
	if !slices.Equal(pr.Ports(), nl.Ports()) {
		t.Error("sockets by local port differ between /proc and netlink")
	}
	if d := cmp.Diff(pr.Inodes(), nl.Inodes()); d != "" {
		t.Errorf("state by inode (-proc +netlink):\n%s", d)
	}
	remotes := func(c *audit.Census) map[string]int {
		m := map[string]int{}
		for _, h := range c.Remotes().Top(100000) {
			m[h.Endpoint.String()] = h.Count
		}
		return m
	}
	if d := cmp.Diff(remotes(pr), remotes(nl)); d != "" {
		t.Errorf("remote endpoints (-proc +netlink):\n%s", d)
	}
}

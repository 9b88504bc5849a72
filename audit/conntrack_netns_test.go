package audit_test

import (
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// ctRule turns conntrack on in the test's namespace: an nftables input
// chain whose rule uses ct state registers conntrack's hooks there.
func ctRule(t *testing.T) {
	t.Helper()
	for _, args := range [][]string{
		{"add", "table", "inet", "t"},
		{"add", "chain", "inet", "t", "in", "{ type filter hook input priority 0 ; }"},
		{"add", "rule", "inet", "t", "in", "ct", "state", "established,related", "accept"},
	} {
		if out, err := exec.Command("nft", args...).CombinedOutput(); err != nil {
			t.Fatalf("nft %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
}

// needTools skips the test without the given programs.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s (Debian packages nftables and conntrack): %v", tool, err)
		}
	}
}

// pair is one loopback connection, both ends.
type pair struct{ client, server net.Conn }

// dialPairs opens n connections to ln; they are closed when the test ends.
func dialPairs(t *testing.T, ln net.Listener, n int) []pair {
	t.Helper()
	out := make([]pair, 0, n)
	for range n {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), 2*time.Second)
		if err != nil {
			t.Fatalf("dial %d of %d: %v", len(out)+1, n, err)
		}
		t.Cleanup(func() { c.Close() })
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out = append(out, pair{c, s})
	}
	return out
}

// conntrackList runs `conntrack -L -p tcp` and counts its entries by state
// (the fourth field of each line: "tcp 6 431999 ESTABLISHED src=...").
func conntrackList(t *testing.T) map[string]int64 {
	t.Helper()
	out, err := exec.Command("conntrack", "-L", "-p", "tcp").Output()
	if err != nil {
		t.Fatalf("conntrack -L -p tcp: %v", err)
	}
	states := map[string]int64{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f := strings.Fields(line); len(f) >= 4 && f[0] == "tcp" {
			states[f[3]]++
		}
	}
	return states
}

// TestConntrackCountMatchesTool: in a namespace of its own with an
// nftables rule using ct state, real loopback connections in three
// conntrack states are tracked; the audit's count equals conntrack -C, and
// its TCP state split equals conntrack -L -p tcp.
func TestConntrackCountMatchesTool(t *testing.T) {
	needTools(t, "nft", "conntrack")
	if !nstest.Enter(t) {
		return
	}
	ctRule(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	const established, timeWait, closeWait = 25, 6, 4
	splitStates(t, ln, established, timeWait, closeWait)
	fsys, err := audit.NewFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	ct, err := fsys.Conntrack()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("conntrack", "-C").Output()
	if err != nil {
		t.Fatalf("conntrack -C: %v", err)
	}
	want, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	n := int64(established + timeWait + closeWait)
	if got, _ := ct.Get(audit.KeyConntrackCount); got != want || want < n {
		t.Errorf("count %d, conntrack -C %d, want equal and at least %d", got, want, n)
	}
	tool := conntrackList(t)
	wantSplit := map[string]int64{"ESTABLISHED": established, "TIME_WAIT": timeWait, "CLOSE_WAIT": closeWait}
	if d := cmp.Diff(wantSplit, tool); d != "" {
		t.Fatalf("conntrack -L -p tcp is not the split the test made (-want +got):\n%s", d)
	}
	file, from, err := fsys.ConntrackTCP()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(tool, file); d != "" {
		t.Errorf("%s against conntrack -L -p tcp (-tool +%s):\n%s", from, from, d)
	}
	t.Logf("%d connections: count %d = conntrack -C; conntrack -L and %s: %v", n, want, from, tool)
}

// splitStates opens established + timeWait + closeWait loopback
// connections to ln and closes some of them so that conntrack holds that
// many entries in ESTABLISHED, TIME_WAIT and CLOSE_WAIT.
func splitStates(t *testing.T, ln net.Listener, established, timeWait, closeWait int) {
	t.Helper()
	pairs := dialPairs(t, ln, established+timeWait+closeWait)
	for _, p := range pairs[established : established+timeWait] {
		p.client.Close() // FIN both ways, then the last ACK: conntrack TIME_WAIT
		p.server.Close()
	}
	for _, p := range pairs[established+timeWait:] {
		p.server.Close() // FIN one way, acknowledged: conntrack CLOSE_WAIT
	}
	time.Sleep(200 * time.Millisecond) // let the FINs and ACKs cross loopback
}

// TestConntrackSampledInNamespace: sampling a namespace with conntrack in
// use reports the rates of drop, early_drop and insert_failed, and
// nf_conntrack_max is read-only there (docs/kernel-facts.md §22).
func TestConntrackSampledInNamespace(t *testing.T) {
	needTools(t, "nft")
	if !nstest.Enter(t) {
		return
	}
	ctRule(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dialPairs(t, ln, 3)
	if err := os.WriteFile("/proc/sys/net/netfilter/nf_conntrack_max", []byte("64\n"), 0); err == nil {
		t.Errorf("writing nf_conntrack_max succeeded in a child namespace")
	}
	o := audit.Options{ProcRoot: "/proc", Keys: []string{"net.ipv4.tcp_fin_timeout"}}
	f, err := audit.Sample(t.Context(), o, 2, 50*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Has(audit.SourceConntrack) {
		t.Fatalf("conntrack not read: %v", f)
	}
	for _, n := range []string{"drop", "early_drop", "insert_failed"} {
		if _, ok := f.Sampling.Rate(audit.ConntrackSection, n); !ok {
			t.Errorf("no rate for %s: %v", n, f.Sampling.Rates)
		}
	}
}

// TestConntrackUnusedNamespaceSkipped: conntrack is built into this kernel,
// so a namespace has its files even when no rule there uses conntrack; a
// real connection leaves the table empty and its statistics zero, and the
// source is not read, with that reason (the rules that need it skip).
func TestConntrackUnusedNamespaceSkipped(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dialPairs(t, ln, 3)
	if _, err := os.Stat("/proc/net/stat/nf_conntrack"); err != nil {
		t.Logf("net/stat/nf_conntrack absent: %v", err)
	}
	f, err := audit.Gather(audit.Options{ProcRoot: "/proc", Keys: []string{"net.ipv4.tcp_fin_timeout"}})
	if err != nil {
		t.Fatal(err)
	}
	why, notRead := f.NotRead(audit.SourceConntrack)
	if !notRead || f.Conntrack != nil || !strings.Contains(why, "used by no rule") {
		t.Errorf("conntrack without a rule: NotRead %q, %v; Conntrack %+v", why, notRead, f.Conntrack)
	}
}

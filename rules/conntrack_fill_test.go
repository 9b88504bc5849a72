package rules_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// hostNetnsEnv names the initial network namespace for the copy of the
// test that runs inside its own namespace.
const hostNetnsEnv = "TCPAUDIT_TEST_HOST_NETNS"

// Bounds of the fill test: the limit is the largest table of any
// namespace plus fillMargin entries, and the test does not lower the
// host's nf_conntrack_max when that exceeds fillCap connections.
const (
	fillMargin = 64
	fillCap    = 2048
	fillDials  = 8
)

// TestConntrackFillSizedFix fills a small nf_conntrack_max: the pressure
// finding shows drop rising between samples, and its sized fix, applied
// with sysctl -w, makes the next sample clean.
//
// nf_conntrack_max is global and read-only in a child namespace; the
// kernel compares each namespace's own count with it (__nf_conntrack_alloc,
// docs/kernel-facts.md §22). So the connections live in a namespace of the
// test's own, and the limit is lowered in the initial namespace, through
// nsenter, to the largest count of any namespace plus a margin, for the
// seconds between filling and the clean sample; it is restored then, and
// again when the test ends.
func TestConntrackFillSizedFix(t *testing.T) {
	for _, tool := range []string{"nft", "nsenter", "sysctl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s (Debian packages nftables, util-linux, procps): %v", tool, err)
		}
	}
	if os.Getenv(hostNetnsEnv) == "" {
		orig := readMax(t)
		t.Cleanup(func() { restoreMax(t, orig, "") })
		t.Setenv(hostNetnsEnv, fmt.Sprintf("/proc/%d/ns/net", os.Getpid()))
	}
	if !nstest.Enter(t) {
		return
	}
	host := os.Getenv(hostNetnsEnv)
	ctInput(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busiest, err := busiestTable(t)
	if err != nil {
		t.Skipf("cannot read every namespace's conntrack count, so cannot lower the limit safely: %v", err)
	}
	limit := busiest + fillMargin
	if limit > fillCap {
		t.Skipf("a namespace holds %d conntrack entries: lowering nf_conntrack_max to %d would take %d connections to fill (more than %d)", busiest, limit, limit, fillCap)
	}
	fill(t, ln, int(limit))
	orig := readMax(t)
	t.Cleanup(func() { restoreMax(t, orig, host) })

	start := time.Now()
	setMax(t, host, strconv.FormatInt(limit, 10))
	full := sampleDialing(t, ln)
	found := check(t, "baseline", "conntrack-table-pressure", full)
	if len(found) != 1 || found[0].Severity != rules.Critical {
		restoreMax(t, orig, host)
		t.Fatalf("table full (%d of %d): findings %+v, want one critical", limit, limit, found)
	}
	ev := found[0].Evidence
	drop, _ := full.Sampling.Rate(audit.ConntrackSection, "drop")
	if ev["delta"] <= 0 || ev["drop_delta"] != float64(drop.Delta) || drop.Delta <= 0 {
		t.Errorf("evidence %v, drop rate %+v: want drop rising between samples", ev, drop)
	}
	cfg, err := profiles.Load("baseline")
	if err != nil {
		t.Fatal(err)
	}
	if u := rules.NewEngine().Evaluate(full, cfg).Conntrack; u == nil || u.Share < 1 || u.Rates["drop"] <= 0 {
		t.Errorf("result's conntrack usage %+v: want a full table and a drop rate", u)
	}
	for key, v := range found[0].Fix.Sysctl {
		setMax(t, host, v, key)
	}
	clean := sampleDialing(t, ln)
	after := check(t, "baseline", "conntrack-table-pressure", clean)
	restoreMax(t, orig, host)
	window := time.Since(start)
	if len(after) != 0 {
		t.Errorf("after the fix %v: findings %+v, want none", found[0].Fix.Sysctl, after)
	}
	t.Logf("%d entries of a %d limit (busiest other namespace %d); fix %v; limit lowered for %s\n%s",
		limit, limit, busiest, found[0].Fix.Sysctl, window.Round(time.Millisecond), found[0].Fix.Advice)
}

// ctInput turns conntrack on in the test's namespace.
func ctInput(t *testing.T) {
	t.Helper()
	for _, args := range []string{
		"add table inet t",
		"add chain inet t in { type filter hook input priority 0 ; }",
		"add rule inet t in ct state established,related accept",
	} {
		if out, err := exec.Command("nft", strings.Fields(args)...).CombinedOutput(); err != nil {
			t.Fatalf("nft %s: %v: %s", args, err, out)
		}
	}
}

// fill opens n loopback connections, kept open until the test ends: n
// assured ESTABLISHED entries, which early_drop cannot evict.
func fill(t *testing.T, ln net.Listener, n int) {
	t.Helper()
	for i := range n {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), 2*time.Second)
		if err != nil {
			t.Fatalf("connection %d of %d: %v", i+1, n, err)
		}
		t.Cleanup(func() { c.Close() })
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
	}
}

// sampleDialing samples the namespace twice, 600 ms apart, and tries
// fillDials new connections between the two: from the callback Sample
// makes after its first sample, before it waits for the second, so that
// every try falls between them however late the machine runs a
// goroutine. Those that connect are closed.
func sampleDialing(t *testing.T, ln net.Listener) *audit.Facts {
	t.Helper()
	dial := func(done, _ int) {
		if done != 1 {
			return
		}
		for range fillDials {
			if c, err := net.DialTimeout("tcp", ln.Addr().String(), 50*time.Millisecond); err == nil {
				c.Close()
			}
		}
	}
	o := audit.Options{ProcRoot: "/proc", Keys: []string{"net.ipv4.tcp_fin_timeout"}}
	f, err := audit.Sample(t.Context(), o, 2, 600*time.Millisecond, dial)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Has(audit.SourceConntrack) {
		why, _ := f.NotRead(audit.SourceConntrack)
		t.Fatalf("conntrack not read: %s", why)
	}
	return f
}

// busiestTable returns the largest conntrack count of any other network
// namespace that a process or /run/netns holds, read from the "entries"
// column of its net/stat/nf_conntrack (the namespace's own count).
func busiestTable(t *testing.T) (int64, error) {
	t.Helper()
	own, err := netnsInode("/proc/self/ns/net")
	if err != nil {
		return 0, err
	}
	seen := map[uint64]bool{own: true}
	var busiest int64
	pids, _ := filepath.Glob("/proc/[0-9]*/ns/net")
	bound, _ := filepath.Glob("/run/netns/*")
	for _, p := range append(pids, bound...) {
		ino, err := netnsInode(p)
		if err != nil || seen[ino] {
			continue // a process that exited
		}
		seen[ino] = true
		n, err := namespaceCount(p)
		if _, gone := os.Stat(p); gone != nil {
			continue // its process exited, or `ip netns del` removed it
		}
		if err != nil {
			return 0, fmt.Errorf("namespace %s: %w", p, err)
		}
		busiest = max(busiest, n)
	}
	return busiest, nil
}

func netnsInode(p string) (uint64, error) {
	st, err := os.Stat(p)
	if err != nil {
		return 0, err
	}
	return st.Sys().(*syscall.Stat_t).Ino, nil
}

// namespaceCount reads the count of the namespace at ns (a
// /proc/PID/ns/net or /run/netns file).
func namespaceCount(ns string) (int64, error) {
	var b []byte
	var err error
	if pid, ok := strings.CutSuffix(ns, "/ns/net"); ok {
		b, err = os.ReadFile(pid + "/net/stat/nf_conntrack")
	} else {
		b, err = exec.Command("nsenter", "--net="+ns, "cat", "/proc/net/stat/nf_conntrack").Output()
	}
	if err != nil {
		return 0, err
	}
	stats, err := audit.ParseConntrackStats(strings.NewReader(string(b)))
	if err != nil {
		return 0, err
	}
	return stats["entries"], nil
}

// readMax reads nf_conntrack_max.
func readMax(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/net/netfilter/nf_conntrack_max")
	if err != nil {
		t.Skipf("no nf_conntrack_max: %v", err)
	}
	return strings.TrimSpace(string(b))
}

// setMax sets a conntrack sysctl (nf_conntrack_max unless named) in the
// initial network namespace with sysctl -w through nsenter.
func setMax(t *testing.T, host, value string, key ...string) {
	t.Helper()
	k := append(key, audit.KeyConntrackMax)[0]
	out, err := exec.Command("nsenter", "--net="+host, "sysctl", "-w", k+"="+value).CombinedOutput()
	if err != nil {
		t.Fatalf("sysctl -w %s=%s in the initial namespace: %v: %s", k, value, err, out)
	}
}

// restoreMax sets nf_conntrack_max back to orig: through nsenter from the
// test's namespace, or directly from the initial one (host "").
func restoreMax(t *testing.T, orig, host string) {
	t.Helper()
	var err error
	if host == "" {
		err = os.WriteFile("/proc/sys/net/netfilter/nf_conntrack_max", []byte(orig+"\n"), 0)
	} else {
		err = exec.Command("nsenter", "--net="+host, "sysctl", "-q", "-w", audit.KeyConntrackMax+"="+orig).Run()
	}
	if err != nil {
		t.Errorf("restore nf_conntrack_max=%s: %v", orig, err)
	}
}

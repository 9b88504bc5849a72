package main

import (
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/internal/sockgen"
)

// TestTimeWaitOverflowSized: with tcp_max_tw_buckets at 50 and connections
// closing at a steady rate, a sampled check measures TCPTimeWaitOverflow
// rising and proposes a tcp_max_tw_buckets sized from that rate; written
// with sysctl, it stops the counter from rising while the churn goes on.
func TestTimeWaitOverflowSized(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	setSysctl(t, "net/ipv4/tcp_max_tw_buckets", "50")
	g, err := sockgen.New([]uint16{9000}, []netip.Addr{netip.MustParseAddr("127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	stop := repeat(5*time.Millisecond, g.TimeWait)
	defer func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	}()
	time.Sleep(500 * time.Millisecond)

	code, rep := checkJSON(t, "--samples", "3", "--interval", "300ms", "--source", "netlink")
	f := rep.findings("time-wait-bucket-pressure")
	if code != exitFindings || len(f) != 1 || f[0].Severity != "critical" {
		t.Fatalf("exit %d, findings %+v: want one critical finding", code, f)
	}
	ev, want := f[0].Evidence, f[0].Fix.Sysctl["net.ipv4.tcp_max_tw_buckets"]
	t.Logf("evidence %v, proposal %s: %s", ev, want, f[0].Fix.Advice)
	if n, err := strconv.Atoi(want); err != nil || ev["rate_per_s"] <= 0 || float64(n) < ev["rate_per_s"]*60 {
		t.Fatalf("evidence %v, proposal %q: want a measured rate and a proposal of at least rate × 60 s", ev, want)
	}
	setSysctl(t, "net/ipv4/tcp_max_tw_buckets", want)
	before := twOverflow(t)
	time.Sleep(time.Second)
	if after := twOverflow(t); after != before {
		t.Errorf("TCPTimeWaitOverflow rose from %d to %d after tcp_max_tw_buckets = %s", before, after, want)
	}
}

func setSysctl(t *testing.T, path, v string) {
	t.Helper()
	if err := os.WriteFile("/proc/sys/"+path, []byte(v), 0o644); err != nil {
		t.Fatal(err)
	}
}

// twOverflow reads TcpExt TCPTimeWaitOverflow of this namespace.
func twOverflow(t *testing.T) int64 {
	t.Helper()
	fsys, err := audit.NewFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	c, err := fsys.Counters()
	if err != nil {
		t.Fatal(err)
	}
	v, _ := c.Get("TcpExt", "TCPTimeWaitOverflow")
	return v
}

// TestTimeWaitBucketsCountOrphans: tcp_max_tw_buckets limits every
// timewait entry, the orphaned FIN_WAIT2 ones too. In a namespace of the
// test's with tcp_max_tw_buckets 100 and tcp_fin_timeout 30 s, 30
// TIME_WAIT entries alone are 30% of the limit, but 60 more connections
// closed toward a server that never reads nor closes are orphans in
// FIN_WAIT2 that count too: the rule judges sockstat tw, 90 (a warning
// at 80%), and its evidence splits it as ss counts the two states.
func TestTimeWaitBucketsCountOrphans(t *testing.T) {
	ssBin, err := exec.LookPath("ss")
	if err != nil {
		t.Skip("needs ss(8) as the oracle")
	}
	if !nstest.Enter(t) {
		return
	}
	const timeWait, orphans = 30, 60
	setSysctl(t, "net/ipv4/tcp_max_tw_buckets", "100")
	setSysctl(t, "net/ipv4/tcp_fin_timeout", "30")
	dialClose(t, holdingServer(t, 10*time.Millisecond), timeWait)
	dialClose(t, holdingServer(t, 0), orphans)
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if ssCount(t, ssBin, "time-wait") == timeWait && ssCount(t, ssBin, "fin-wait-2") == orphans {
			break
		}
	}
	tw, fw2 := ssCount(t, ssBin, "time-wait"), ssCount(t, ssBin, "fin-wait-2")
	if tw != timeWait || fw2 != orphans {
		t.Fatalf("ss: %d TIME-WAIT, %d FIN-WAIT-2; want %d and %d", tw, fw2, timeWait, orphans)
	}
	_, rep := checkJSON(t, "--source", "netlink")
	f := rep.findings("time-wait-bucket-pressure")
	if len(f) != 1 || f[0].Severity != "warning" {
		t.Fatalf("findings %+v: want one warning (90 of 100 entries)", f)
	}
	want := map[string]float64{"count": timeWait + orphans, "limit": 100, "time_wait": timeWait, "orphaned_fin_wait2": orphans, "fin_wait2_hold_s": 30}
	for k, v := range want {
		if f[0].Evidence[k] != v {
			t.Errorf("evidence %s = %v, want %v (all: %v)", k, f[0].Evidence[k], v, f[0].Evidence)
		}
	}
}

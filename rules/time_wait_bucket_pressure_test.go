package rules_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
)

// TestTimeWaitBucketPressure: baseline warns at 80% of tcp_max_tw_buckets,
// is critical at 95%; TCPTimeWaitOverflow since boot alone is info, with no
// size proposed (a sample is needed for one).
func TestTimeWaitBucketPressure(t *testing.T) {
	tests := []struct {
		name     string
		tw       int64
		overflow int64
		want     []string
	}{
		{"quiet", 100, 0, nil},
		{"below warning", 799, 0, nil},
		{"at warning", 800, 0, []string{"warning"}},
		{"below critical", 949, 0, []string{"warning"}},
		{"at critical", 950, 0, []string{"critical"}},
		{"overflow with few entries", 10, 3, []string{"info"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := audit.NewFacts(audit.Facts{
				Sysctls:  map[string]string{"net.ipv4.tcp_max_tw_buckets": "1000"},
				Sockstat: audit.Sockstat{"TCP": {"tw": tc.tw}},
				Counters: audit.Counters{"TcpExt": {"TCPTimeWaitOverflow": tc.overflow}},
			}, audit.SourceSockstat, audit.SourceNetstat, audit.SourceSNMP)
			got := check(t, "baseline", "time-wait-bucket-pressure", f)
			if diff := cmp.Diff(tc.want, severities(got)); diff != "" {
				t.Errorf("severities (-want +got):\n%s", diff)
			}
			// The fix never lowers the limit (docs/kernel-facts.md §15, myth 10).
			for _, fd := range got {
				if fd.Severity.String() == "info" {
					if fd.Fix.Sysctl != nil || !strings.Contains(fd.Fix.Advice, "--samples") {
						t.Errorf("fix %+v: want no size, and --samples named", fd.Fix)
					}
					continue
				}
				if v, err := strconv.Atoi(fd.Fix.Sysctl["net.ipv4.tcp_max_tw_buckets"]); err != nil || v <= 1000 {
					t.Errorf("fix %v: want tcp_max_tw_buckets above 1000", fd.Fix.Sysctl)
				}
			}
		})
	}
}

// TestTimeWaitBucketPressureSampled: with samples, the finding shows the
// TCPTimeWaitOverflow delta and rate, the sign that it is happening now,
// and sizes tcp_max_tw_buckets from it: (1000 + 10/s × 60 s) × 1.5.
func TestTimeWaitBucketPressureSampled(t *testing.T) {
	f := audit.NewFacts(audit.Facts{
		Sysctls:  map[string]string{"net.ipv4.tcp_max_tw_buckets": "1000"},
		Sockstat: audit.Sockstat{"TCP": {"tw": 1000}},
		Counters: audit.Counters{"TcpExt": {"TCPTimeWaitOverflow": 70}},
		Sampling: &audit.Sampling{Samples: 3, Elapsed: 2 * time.Second,
			Rates: audit.Rates(audit.Counters{"TcpExt": {"TCPTimeWaitOverflow": 50}},
				audit.Counters{"TcpExt": {"TCPTimeWaitOverflow": 70}}, 2*time.Second)},
	}, audit.SourceSockstat, audit.SourceNetstat, audit.SourceSNMP)
	got := check(t, "baseline", "time-wait-bucket-pressure", f)
	if len(got) != 1 || !strings.Contains(got[0].Observed, "TCPTimeWaitOverflow 70 since boot; +20 over 2s of samples (10.0/s)") {
		t.Fatalf("findings %+v: want the observed overflow rate +20 over 2s (10.0/s)", got)
	}
	if v := got[0].Fix.Sysctl["net.ipv4.tcp_max_tw_buckets"]; v != "2400" || !strings.Contains(got[0].Fix.Advice, "(tw 1000 + 10.0/s overflowing × 60 s) × 1.5 headroom = 2400") {
		t.Errorf("fix %+v: want 2400 with its arithmetic", got[0].Fix)
	}
	if ev := got[0].Evidence; ev["rate_per_s"] != 10 || ev["since_boot"] != 70 || ev["recommended"] != 2400 {
		t.Errorf("evidence %v", ev)
	}
}

// TestTimeWaitBucketPressureSplit: on the tw-overflow fixture the rule
// judges sockstat tw, the count tcp_max_tw_buckets applies to, and its
// evidence splits it into the TIME_WAIT lines of net/tcp and net/tcp6 and
// the orphaned FIN_WAIT2 entries (st 05 with no inode: timewait socks),
// counted here from the fixture's files.
func TestTimeWaitBucketPressureSplit(t *testing.T) {
	root := filepath.Join(hostsDir, "tw-overflow")
	var timeWait, orphans float64
	for _, name := range []string{"net/tcp", "net/tcp6"} {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n")[1:] {
			switch f := strings.Fields(l); {
			case len(f) < 10:
			case f[3] == "06":
				timeWait++
			case f[3] == "05" && f[9] == "0":
				orphans++
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(root, "net/sockstat"))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(strings.Split(string(b), "\n")[1]) // TCP: inuse N orphan N tw N ...
	tw, err := strconv.ParseFloat(f[slices.Index(f, "tw")+1], 64)
	if err != nil {
		t.Fatal(err)
	}
	if orphans == 0 || tw != timeWait+orphans {
		t.Fatalf("fixture: sockstat tw %v, %v TIME_WAIT + %v orphaned FIN_WAIT2 lines; want orphans, and tw their sum", tw, timeWait, orphans)
	}
	got := check(t, "baseline", "time-wait-bucket-pressure", gather(t, "tw-overflow"))
	if len(got) != 1 {
		t.Fatalf("findings %+v, want one", got)
	}
	want := map[string]float64{"count": tw, "time_wait": timeWait, "orphaned_fin_wait2": orphans}
	for k, v := range want {
		if got[0].Evidence[k] != v {
			t.Errorf("evidence %s = %v, want %v (all: %v)", k, got[0].Evidence[k], v, got[0].Evidence)
		}
	}
	if s := fmt.Sprintf("(%.0f TIME_WAIT + %.0f orphaned FIN_WAIT2)", timeWait, orphans); !strings.Contains(got[0].Observed, s) {
		t.Errorf("observed %q does not show %q", got[0].Observed, s)
	}
}

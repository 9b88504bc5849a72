package rules_test

import (
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
// and sizes tcp_max_tw_buckets from it: (1000/60 + 10/s) × 60 s × 1.5.
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
	if v := got[0].Fix.Sysctl["net.ipv4.tcp_max_tw_buckets"]; v != "2400" || !strings.Contains(got[0].Fix.Advice, "× 60 s × 1.5 headroom = 2400") {
		t.Errorf("fix %+v: want 2400 with its arithmetic", got[0].Fix)
	}
	if ev := got[0].Evidence; ev["rate_per_s"] != 10 || ev["since_boot"] != 70 || ev["recommended"] != 2400 {
		t.Errorf("evidence %v", ev)
	}
}

package report

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/tcpaudit/tcpaudit/internal/promtext"
	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/rules"
)

// boundedResult is a result of the host and six namespaces: n1 with a
// finding and few sockets, n2..n5 with 500, 400, 300 and 200 sockets, n6
// with 50, and a skipped one; each audited one has a conntrack table.
func boundedResult() rules.Result {
	ct := func(n int64) *rules.ConntrackUsage {
		return &rules.ConntrackUsage{Count: n, Max: 1000, Share: float64(n) / 1000, Totals: map[string]int64{}}
	}
	res := rules.Result{Profile: "baseline", Kernel: "6.12", Conntrack: ct(10),
		Sockets:    &rules.Sockets{Total: 3, States: map[string]int{"LISTEN": 3}},
		Namespaces: []rules.Namespace{{ID: "host", Identity: netns.Identity{Kind: netns.KindHost, Name: "host"}, Sockets: &rules.Sockets{Total: 3, States: map[string]int{"LISTEN": 3}}}},
		Findings:   []rules.Finding{{Rule: "ephemeral-port-range", Severity: rules.Warning, Namespace: "net:[1]"}},
	}
	for i, n := range []int{5, 500, 400, 300, 200, 50} {
		id := fmt.Sprintf("net:[%d]", i+1)
		res.Namespaces = append(res.Namespaces, rules.Namespace{ID: id, Inode: uint64(i + 1),
			Identity:  netns.Identity{Kind: netns.KindPod, Name: fmt.Sprintf("team/n%d", i+1), PodNamespace: "team", PodName: fmt.Sprintf("n%d", i+1), ContainerID: "0123456789abcdef0123"},
			Sockets:   &rules.Sockets{Total: n, States: map[string]int{"ESTABLISHED": n}},
			Conntrack: ct(int64(n))})
	}
	res.Namespaces = append(res.Namespaces, rules.Namespace{ID: "net:[9]", Identity: netns.Identity{Kind: netns.KindProcess, Name: "gone[9]"}, Skipped: "gone"})
	return res
}

// TestNetnsSeriesBounded: with at most 3 namespaces above 100 sockets, the
// one with a finding and the two busiest have series, conntrack's included
// (beside the host's), the others are folded; the exposition lints clean.
func TestNetnsSeriesBounded(t *testing.T) {
	s := promtext.NewSet()
	NewCollector(boundedResult(), "1.0").WithNetnsBound(NetnsBound{MinSockets: 100, MaxSeries: 3}).Collect(s)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := promtext.Write(&b, s.Families()); err != nil {
		t.Fatal(err)
	}
	if problems, err := promlint.New(bytes.NewReader(b.Bytes())).Lint(); err != nil || len(problems) > 0 {
		t.Errorf("promlint: %v %v", problems, err)
	}
	parsed := parseProm(t, b.Bytes())
	labelSet := func(metric, label string) []string {
		var out []string
		for _, m := range parsed[metric].GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && !slices.Contains(out, l.GetValue()) {
					out = append(out, l.GetValue())
				}
			}
		}
		slices.Sort(out)
		return out
	}
	if got, want := labelSet("tcpaudit_netns_sockets", "netns"), []string{"net:[1]", "net:[2]", "net:[3]"}; !slices.Equal(got, want) {
		t.Errorf("namespaces with series %v, want %v (the one with a finding, then the two busiest)", got, want)
	}
	if got, want := labelSet("tcpaudit_conntrack_entries", "netns"), []string{"host", "net:[1]", "net:[2]", "net:[3]"}; !slices.Equal(got, want) {
		t.Errorf("conntrack series for %v, want %v", got, want)
	}
	if got := labelSet("tcpaudit_netns_sockets", "pod"); !slices.Equal(got, []string{"n1", "n2", "n3"}) {
		t.Errorf("pod labels %v", got)
	}
	for outcome, want := range map[string]float64{"audited": 7, "skipped": 1, "folded": 3} {
		if v, ok := value(parsed, "tcpaudit_netns_namespaces", map[string]string{"outcome": outcome}); !ok || v != want {
			t.Errorf("tcpaudit_netns_namespaces{outcome=%q} = %v (%v), want %v", outcome, v, ok, want)
		}
	}
	if v, _ := value(parsed, "tcpaudit_netns_all_sockets", map[string]string{"state": "ESTABLISHED"}); v != 1455 {
		t.Errorf("all namespaces' ESTABLISHED sockets = %v, want 5+500+400+300+200+50 = 1455", v)
	}
}

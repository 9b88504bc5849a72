package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/rules"
)

// TestPrometheusConntrack: the conntrack table's use and events of the
// conntrack-full fixture, as Prometheus parses them; rates only with
// samples; no conntrack series for a host without conntrack.
func TestPrometheusConntrack(t *testing.T) {
	res := hostResult(t, "conntrack-full")
	res.Conntrack.Rates = map[string]float64{"drop": 9.5, "early_drop": 0, "insert_failed": 0.5}
	var b bytes.Buffer
	if err := (Prometheus{}).Write(&b, res); err != nil {
		t.Fatal(err)
	}
	mfs := parseProm(t, b.Bytes())
	got := map[string]float64{}
	for _, name := range []string{"tcpaudit_conntrack_entries", "tcpaudit_conntrack_entries_limit", "tcpaudit_conntrack_used_ratio"} {
		got[name], _ = value(mfs, name, nil)
	}
	for _, ev := range []string{"drop", "early_drop", "insert_failed"} {
		if mf := mfs["tcpaudit_conntrack_events_total"]; mf != nil {
			for _, m := range mf.GetMetric() {
				if m.GetLabel()[0].GetValue() == ev {
					got["total "+ev] = m.GetCounter().GetValue()
				}
			}
		}
		got["rate "+ev], _ = value(mfs, "tcpaudit_conntrack_events_rate", map[string]string{"event": ev})
	}
	want := map[string]float64{
		"tcpaudit_conntrack_entries": 64300, "tcpaudit_conntrack_entries_limit": 65536,
		"tcpaudit_conntrack_used_ratio": 64300.0 / 65536,
		"total drop":                    18730, "total early_drop": 2210, "total insert_failed": 412,
		"rate drop": 9.5, "rate early_drop": 0, "rate insert_failed": 0.5,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("conntrack series (-want +got):\n%s", d)
	}
	problems, err := promlint.New(bytes.NewReader(b.Bytes())).Lint()
	if err != nil || len(problems) > 0 {
		t.Errorf("promlint: %v %v", problems, err)
	}

	res.Conntrack.Rates = nil
	b.Reset()
	if err := (Prometheus{}).Write(&b, res); err != nil {
		t.Fatal(err)
	}
	if _, ok := parseProm(t, b.Bytes())["tcpaudit_conntrack_events_rate"]; ok {
		t.Error("rates exported without samples")
	}
	b.Reset()
	if err := (Prometheus{}).Write(&b, hostResult(t, "close-wait-leak")); err != nil {
		t.Fatal(err)
	}
	for name := range parseProm(t, b.Bytes()) {
		if strings.HasPrefix(name, "tcpaudit_conntrack") {
			t.Errorf("%s exported for a host without conntrack", name)
		}
	}
}

// TestPrometheusConntrackOneNamespace: the result of check --netns X (one
// namespace, not the host's) labels X's conntrack table with X's ID, not
// "host", and once, even when X also has series of its own.
func TestPrometheusConntrackOneNamespace(t *testing.T) {
	res := hostResult(t, "conntrack-full")
	res.Namespaces = []rules.Namespace{{ID: "net:[4026532443]", Identity: netns.Identity{Kind: netns.KindNamed, Name: "x"}, Conntrack: res.Conntrack}}
	var b bytes.Buffer
	if err := (Prometheus{}).Write(&b, res); err != nil {
		t.Fatal(err)
	}
	mfs := parseProm(t, b.Bytes())
	mf := mfs["tcpaudit_conntrack_entries"]
	if mf == nil || len(mf.GetMetric()) != 1 {
		t.Fatalf("tcpaudit_conntrack_entries: %v, want one series", mf)
	}
	if got := mf.GetMetric()[0].GetLabel()[0].GetValue(); got != "net:[4026532443]" {
		t.Errorf("conntrack of the one namespace audited labelled netns=%q, want its ID", got)
	}
}

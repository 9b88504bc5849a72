package main

import (
	"net/http"
	"os/exec"
	"testing"

	"github.com/google/go-cmp/cmp"
	dto "github.com/prometheus/client_model/go"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestServeNamespacesBounded serves every namespace of the host while the
// test holds four ip netns namespaces of sockgen's sockets (above the
// socket threshold) and one empty one. With a limit of two namespaces,
// exactly two have series of their own, the rest are counted as folded;
// with a high limit each of the four has series, its socket states equal
// to ss inside it, and the empty one has none unless it has findings.
func TestServeNamespacesBounded(t *testing.T) {
	netnsPrereqs(t)
	sockgen := buildSockgen(t, t.TempDir())
	busy := make([]string, 4)
	held := 0 // the sockets of the test's namespaces, as ss counts them
	for i := range busy {
		busy[i] = nstest.New(t)
		sockgenIn(t, sockgen, "ip", "netns", "exec", busy[i])
		for _, n := range ssStates(t, "ip", "netns", "exec", busy[i]) {
			held += n
		}
	}
	empty := nstest.New(t)

	url, stop := startServe(t, "--all-netns", "--interval", "1h", "--netns-min-sockets", "100", "--netns-max-series", "2")
	mfs := scrape(t, url)
	promtoolCheckMetrics(t, url)
	stop()
	shown := seriesNamespaces(mfs["tcpaudit_netns_sockets"])
	if len(shown) != 2 {
		t.Errorf("--netns-max-series 2: tcpaudit_netns_sockets has series for %d namespaces %v, want exactly 2", len(shown), shown)
	}
	audited := gauge(t, mfs, "tcpaudit_netns_namespaces", map[string]string{"outcome": "audited"})
	folded := gauge(t, mfs, "tcpaudit_netns_namespaces", map[string]string{"outcome": "folded"})
	if audited < 6 || folded != audited-1-2 {
		t.Errorf("namespaces audited %v, folded %v: want at least 6 audited (host, 5 of the test's), all but the host's and the 2 shown folded", audited, folded)
	}
	var all float64
	for _, m := range mfs["tcpaudit_netns_all_sockets"].GetMetric() {
		all += m.GetGauge().GetValue()
	}
	if held < 4*100 || all < float64(held) {
		t.Errorf("tcpaudit_netns_all_sockets sums to %v, below the %d sockets of the test's namespaces alone (each above 100)", all, held)
	}

	url, stop = startServe(t, "--all-netns", "--interval", "1h", "--netns-min-sockets", "100", "--netns-max-series", "1000")
	mfs = scrape(t, url)
	stop()
	shown = seriesNamespaces(mfs["tcpaudit_netns_sockets"])
	for _, ns := range busy {
		id, ok := shown[ns]
		if !ok {
			t.Errorf("namespace %s (above 100 sockets) has no series: %v", ns, shown)
			continue
		}
		got := map[string]int{}
		for _, m := range mfs["tcpaudit_netns_sockets"].GetMetric() {
			if label(m, "netns") == id {
				if v := int(m.GetGauge().GetValue()); v > 0 {
					got[label(m, "state")] = v
				}
			}
		}
		if diff := cmp.Diff(nonZero(ssStates(t, "ip", "netns", "exec", ns)), got); diff != "" {
			t.Errorf("namespace %s: tcpaudit_netns_sockets differ from ss -tan inside (-ss +tcpaudit):\n%s", ns, diff)
		}
	}
	if id, ok := shown[empty]; ok && len(seriesOf(mfs["tcpaudit_netns_findings"], id)) == 0 {
		t.Errorf("the empty namespace %s has series but no findings", empty)
	}
}

// seriesNamespaces maps the name label of each namespace with series in mf
// to its netns label.
func seriesNamespaces(mf *dto.MetricFamily) map[string]string {
	out := map[string]string{}
	for _, m := range mf.GetMetric() {
		out[label(m, "name")] = label(m, "netns")
	}
	return out
}

// seriesOf returns the series of mf whose netns label is id.
func seriesOf(mf *dto.MetricFamily, id string) []*dto.Metric {
	var out []*dto.Metric
	for _, m := range mf.GetMetric() {
		if label(m, "netns") == id {
			out = append(out, m)
		}
	}
	return out
}

// label returns the value of m's label name, "" when it has none.
func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// promtoolCheckMetrics runs promtool check metrics on what url/metrics
// serves.
func promtoolCheckMetrics(t *testing.T, url string) {
	t.Helper()
	promtool := buildPromtool(t)
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = resp.Body
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// parseProm parses the text exposition as Prometheus does.
func parseProm(t *testing.T, b []byte) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("expfmt cannot parse the output: %v\n%s", err, b)
	}
	return mfs
}

// value returns the value of the series of name whose labels include want.
func value(mfs map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	mf, ok := mfs[name]
	if !ok {
		return 0, false
	}
	for _, m := range mf.GetMetric() {
		matched := 0
		for _, l := range m.GetLabel() {
			if v, ok := want[l.GetName()]; ok && v == l.GetValue() {
				matched++
			}
		}
		if matched == len(want) {
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

func TestPrometheusParsesAndLints(t *testing.T) {
	for name, res := range results(t) {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := (Prometheus{Version: "1.0"}).Write(&b, res); err != nil {
				t.Fatal(err)
			}
			mfs := parseProm(t, b.Bytes())
			for n, mf := range mfs {
				if !strings.HasPrefix(n, "tcpaudit_") {
					t.Errorf("metric %s lacks the tcpaudit_ prefix", n)
				}
				if mf.GetHelp() == "" {
					t.Errorf("metric %s has no HELP", n)
				}
			}
			problems, err := promlint.New(bytes.NewReader(b.Bytes())).Lint()
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range problems {
				t.Errorf("promlint: %s: %s", p.Metric, p.Text)
			}
		})
	}
}

func TestPrometheusValues(t *testing.T) {
	res := hostResult(t, "port-exhaustion")
	var b bytes.Buffer
	if err := (Prometheus{}).Write(&b, res); err != nil {
		t.Fatal(err)
	}
	mfs := parseProm(t, b.Bytes())
	got := map[string]float64{}
	for _, st := range []string{"ESTABLISHED", "TIME_WAIT", "LISTEN"} {
		got["sockets "+st], _ = value(mfs, "tcpaudit_sockets", map[string]string{"state": st})
	}
	want := map[string]float64{
		"sockets ESTABLISHED": float64(res.Sockets.States["ESTABLISHED"]),
		"sockets TIME_WAIT":   float64(res.Sockets.States["TIME_WAIT"]),
		"sockets LISTEN":      float64(res.Sockets.States["LISTEN"]),
	}
	if len(res.Ephemeral) == 0 {
		t.Fatal("port-exhaustion fixture yields no ephemeral use")
	}
	top := res.Ephemeral[0]
	dest := map[string]string{"local": top.Local, "remote": top.Remote, "remote_port": "5432"}
	got["top share"], _ = value(mfs, "tcpaudit_ephemeral_ports_used_ratio", dest)
	want["top share"] = float64(top.Sockets) / float64(top.Usable)
	crit := 0
	for _, f := range res.Findings {
		if f.Rule == "ephemeral-port-exhaustion" && f.Severity.String() == "critical" {
			crit++
		}
	}
	got["exhaustion critical"], _ = value(mfs, "tcpaudit_findings", map[string]string{"rule": "ephemeral-port-exhaustion", "severity": "critical"})
	want["exhaustion critical"] = float64(crit)
	got["tcp up"], _ = value(mfs, "tcpaudit_source_up", map[string]string{"source": "net/tcp"})
	want["tcp up"] = 1
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("metric values (-want +got):\n%s", d)
	}
	if crit == 0 || top.RemotePort != 5432 {
		t.Errorf("fixture changed: %d critical exhaustion findings, top destination %+v", crit, top)
	}
}

func TestPrometheusMissingSourceIsDown(t *testing.T) {
	res := hostResult(t, "ipv6-only")
	var b bytes.Buffer
	if err := (Prometheus{}).Write(&b, res); err != nil {
		t.Fatal(err)
	}
	mfs := parseProm(t, b.Bytes())
	for _, s := range res.Sources {
		v, ok := value(mfs, "tcpaudit_source_up", map[string]string{"source": s.Source})
		if !ok || (v == 1) != s.OK {
			t.Errorf("tcpaudit_source_up{source=%q} = %v (present %v), source ok = %v", s.Source, v, ok, s.OK)
		}
	}
}

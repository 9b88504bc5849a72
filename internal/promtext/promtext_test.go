package promtext

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// hostile are label values a scrape must carry intact: the format's own
// escapes, braces, commas, quotes, non-ASCII text and nothing at all.
var hostile = []string{
	`back\slash`, `quote"d`, "new\nline", `}{,="`, `\n`, "ünïcødé 名前", "", "tab\there", `trailing\`,
}

// values are the numbers whose formatting differs between writers.
var values = []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e-7, 123456789012345, 1e21, 3.14159, math.NaN(), math.Inf(+1), math.Inf(-1)}

// sample builds the same metrics in s and in reg: gauges with hostile
// labels declared out of name order, a counter without labels, and a
// histogram.
func sample(t *testing.T, s *Set, reg *prometheus.Registry) {
	t.Helper()
	g := NewDesc("tcpaudit_test_gauge", "A gauge with a \\ backslash\nand a newline in its help.", Gauge, "zone", "name", "idx")
	pg := prometheus.NewDesc("tcpaudit_test_gauge", "A gauge with a \\ backslash\nand a newline in its help.", []string{"zone", "name", "idx"}, nil)
	for i, v := range hostile {
		x := values[i%len(values)]
		s.Add(g, x, "z", v, strings.Repeat("i", i))
		reg.MustRegister(constCollector{prometheus.MustNewConstMetric(pg, prometheus.GaugeValue, x, "z", v, strings.Repeat("i", i))})
	}
	c := NewDesc("tcpaudit_test_total", "A counter.", Counter)
	s.Add(c, 42)
	reg.MustRegister(constCollector{prometheus.MustNewConstMetric(prometheus.NewDesc("tcpaudit_test_total", "A counter.", nil, nil), prometheus.CounterValue, 42)})
	h := NewDesc("tcpaudit_test_seconds", "A histogram.", Histogram, "state")
	ph := prometheus.NewDesc("tcpaudit_test_seconds", "A histogram.", []string{"state"}, nil)
	for i, st := range []string{"LISTEN", "CLOSE_WAIT"} {
		buckets := map[float64]uint64{2e-6: 1, 0.001: 3 + uint64(i), 4: 9}
		s.AddHistogram(h, 12, 7.25, buckets, st)
		reg.MustRegister(constCollector{prometheus.MustNewConstHistogram(ph, 12, 7.25, buckets, st)})
	}
	for i, v := range values {
		s.Add(NewDesc("tcpaudit_test_value", "Values.", Gauge, "i"), v, strings.Repeat("v", i))
		reg.MustRegister(constCollector{prometheus.MustNewConstMetric(prometheus.NewDesc("tcpaudit_test_value", "Values.", []string{"i"}, nil), prometheus.GaugeValue, v, strings.Repeat("v", i))})
	}
}

// constCollector collects one constant metric, unchecked.
type constCollector struct{ m prometheus.Metric }

func (c constCollector) Describe(chan<- *prometheus.Desc)    {}
func (c constCollector) Collect(ch chan<- prometheus.Metric) { ch <- c.m }

// TestWriteAsClientGolang: the writer's output is byte for byte what
// client_golang's registry and expfmt's text encoder write for the same
// metrics (the oracle the exposition replaced).
func TestWriteAsClientGolang(t *testing.T) {
	s, reg := NewSet(), prometheus.NewPedanticRegistry()
	sample(t, s, reg)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	var got, want bytes.Buffer
	if err := Write(&got, s.Families()); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	enc := expfmt.NewEncoder(&want, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	if d := cmp.Diff(want.String(), got.String()); d != "" {
		t.Errorf("exposition (-client_golang +promtext):\n%s", d)
	}
}

// TestParseBackHostile: expfmt's text parser reads every hostile label
// value back as it was given, with each series' value.
func TestParseBackHostile(t *testing.T) {
	s := NewSet()
	d := NewDesc("tcpaudit_test_hostile", "Hostile labels.", Gauge, "value", "i")
	for i, v := range hostile {
		s.Add(d, float64(i), v, strings.Repeat("i", i))
	}
	var b bytes.Buffer
	if err := Write(&b, s.Families()); err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	mfs, err := p.TextToMetricFamilies(&b)
	if err != nil {
		t.Fatalf("expfmt cannot parse the exposition: %v", err)
	}
	got := map[string]float64{}
	for _, m := range mfs["tcpaudit_test_hostile"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "value" {
				got[l.GetValue()] = m.GetGauge().GetValue()
			}
		}
	}
	want := map[string]float64{}
	for i, v := range hostile {
		want[v] = float64(i)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("label values read back (-given +parsed):\n%s", d)
	}
}

// TestRefused: what a scrape must not hold is left out with an error
// naming it, and the rest of the set stays.
func TestRefused(t *testing.T) {
	good := NewDesc("tcpaudit_ok", "Fine.", Gauge, "a")
	cases := []struct {
		name string
		add  func(*Set)
		want string
	}{
		{"duplicate series", func(s *Set) { s.Add(good, 1, "x") }, `tcpaudit_ok{a="x"} was collected before`},
		{"same name other help", func(s *Set) { s.Add(NewDesc("tcpaudit_ok", "Other.", Gauge, "a"), 1, "y") }, `has help "Other."`},
		{"same name other type", func(s *Set) { s.Add(NewDesc("tcpaudit_ok", "Fine.", Counter, "a"), 1, "y") }, "is a counter but should be a gauge"},
		{"same name other labels", func(s *Set) { s.Add(NewDesc("tcpaudit_ok", "Fine.", Gauge, "b"), 1, "y") }, `has labels ["b"]`},
		{"invalid metric name", func(s *Set) { s.Add(NewDesc("tcpaudit-bad", "Bad.", Gauge), 1) }, `"tcpaudit-bad" is not a valid metric name`},
		{"metric name with a digit first", func(s *Set) { s.Add(NewDesc("1tcpaudit", "Bad.", Gauge), 1) }, "not a valid metric name"},
		{"invalid label name", func(s *Set) { s.Add(NewDesc("tcpaudit_l", "Bad.", Gauge, "a:b"), 1, "x") }, `"a:b" is not a valid label name`},
		{"reserved label name", func(s *Set) { s.Add(NewDesc("tcpaudit_l", "Bad.", Gauge, "__name"), 1, "x") }, "not a valid label name"},
		{"duplicate label name", func(s *Set) { s.Add(NewDesc("tcpaudit_l", "Bad.", Gauge, "a", "a"), 1, "x", "y") }, `duplicate label name "a"`},
		{"le on a histogram", func(s *Set) { s.AddHistogram(NewDesc("tcpaudit_h", "Bad.", Histogram, "le"), 1, 1, nil, "x") }, "must not have a label named le"},
		{"label count", func(s *Set) { s.Add(good, 1, "x", "y") }, "2 label values for 1 labels"},
		{"not UTF-8", func(s *Set) { s.Add(good, 1, "bad\xff") }, "is not UTF-8"},
		{"histogram added as gauge", func(s *Set) { s.Add(NewDesc("tcpaudit_h", "H.", Histogram), 1) }, "add it with AddHistogram"},
		{"gauge added as histogram", func(s *Set) { s.AddHistogram(good, 1, 1, nil, "y") }, "not a histogram"},
		{"histogram over a _count", func(s *Set) {
			s.Add(NewDesc("tcpaudit_x_count", "C.", Gauge), 1)
			s.AddHistogram(NewDesc("tcpaudit_x", "H.", Histogram), 1, 1, nil)
		}, "histogram tcpaudit_x collides with metric tcpaudit_x_count"},
		{"_sum over a histogram", func(s *Set) {
			s.AddHistogram(NewDesc("tcpaudit_y", "H.", Histogram), 1, 1, nil)
			s.Add(NewDesc("tcpaudit_y_sum", "S.", Gauge), 1)
		}, "metric tcpaudit_y_sum collides with histogram tcpaudit_y"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := NewSet()
			s.Add(good, 2, "x")
			c.add(s)
			err := s.Err()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
			var b bytes.Buffer
			if err := Write(&b, s.Families()); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), "tcpaudit_ok{a=\"x\"} 2\n") {
				t.Errorf("the good series is gone:\n%s", b.String())
			}
			if strings.Count(b.String(), "# TYPE") != strings.Count(b.String(), "# HELP") || strings.Contains(b.String(), `"y"`) {
				t.Errorf("a refused series was written:\n%s", b.String())
			}
		})
	}
}

// TestMergeKeepsChecks: families merged from another set are checked like
// added ones, and sorted with them.
func TestMergeKeepsChecks(t *testing.T) {
	a, b := NewSet(), NewSet()
	d := NewDesc("tcpaudit_m", "M.", Gauge, "k")
	a.Add(d, 1, "b")
	b.Add(d, 2, "a")
	b.Add(d, 3, "b")
	a.Merge(b.Families())
	if err := a.Err(); err == nil || !strings.Contains(err.Error(), `tcpaudit_m{k="b"} was collected before`) {
		t.Errorf("merge of a duplicate: error %v", err)
	}
	var out bytes.Buffer
	if err := Write(&out, a.Families()); err != nil {
		t.Fatal(err)
	}
	want := "# HELP tcpaudit_m M.\n# TYPE tcpaudit_m gauge\ntcpaudit_m{k=\"a\"} 2\ntcpaudit_m{k=\"b\"} 1\n"
	if out.String() != want {
		t.Errorf("merged exposition:\n%s\nwant:\n%s", out.String(), want)
	}
}

// FuzzWriteParse: any label value and help text the set takes is written
// so that expfmt reads back the same value, help and number; a value that
// is not UTF-8 is refused, never written.
func FuzzWriteParse(f *testing.F) {
	for i, v := range hostile {
		f.Add(v, "Help with \\ and\nnewline.", values[i%len(values)])
	}
	f.Add("bad\xff", "", 1.5)
	f.Fuzz(func(t *testing.T, value, help string, v float64) {
		s := NewSet()
		s.Add(NewDesc("tcpaudit_fuzz", help, Gauge, "v"), v, value)
		var b bytes.Buffer
		if err := Write(&b, s.Families()); err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(value) || !utf8.ValidString(help) {
			if s.Err() == nil && !utf8.ValidString(value) {
				t.Fatalf("value %q not refused", value)
			}
			return
		}
		if err := s.Err(); err != nil {
			t.Fatalf("value %q refused: %v", value, err)
		}
		p := expfmt.NewTextParser(model.LegacyValidation)
		mfs, err := p.TextToMetricFamilies(&b)
		if err != nil {
			t.Fatalf("expfmt cannot parse %q: %v", b.String(), err)
		}
		mf := mfs["tcpaudit_fuzz"]
		// The parser drops the blanks between "# HELP name" and the text.
		if mf.GetHelp() != strings.TrimLeft(help, " \t") || len(mf.GetMetric()) != 1 {
			t.Fatalf("help %q read back as %q (%d series)", help, mf.GetHelp(), len(mf.GetMetric()))
		}
		m := mf.GetMetric()[0]
		got := m.GetGauge().GetValue()
		if m.GetLabel()[0].GetValue() != value || !(got == v || math.IsNaN(got) && math.IsNaN(v)) {
			t.Fatalf("wrote %q %v, read back %q %v", value, v, m.GetLabel()[0].GetValue(), got)
		}
	})
}

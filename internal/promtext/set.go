package promtext

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// Label is one label of a series.
type Label struct {
	Name, Value string
}

// Bucket is one bucket of a histogram: the observations at most
// UpperBound, cumulative.
type Bucket struct {
	UpperBound float64
	Count      uint64
}

// Metric is one series of a family: its labels sorted by name and its
// value; a histogram's value is its buckets, sum and count.
type Metric struct {
	Labels  []Label
	Value   float64
	Buckets []Bucket
	Sum     float64
	Count   uint64
}

// Family is the series of one metric name.
type Family struct {
	Name, Help string
	Type       Type
	Metrics    []Metric
}

// Collector adds metrics to a Set: the exporter asks each of its
// collectors on every scrape.
type Collector interface {
	Collect(*Set)
}

// Set gathers the families of one exposition. A metric that cannot be
// exposed is left out and its error kept (Err); the others stay.
type Set struct {
	families map[string]*Family
	labels   map[string][]string // label names of each family, sorted
	series   map[string]struct{}
	errs     []error
}

// NewSet returns an empty set.
func NewSet() *Set {
	return &Set{families: map[string]*Family{}, labels: map[string][]string{}, series: map[string]struct{}{}}
}

// Add adds a gauge or counter series of d with the label values given in
// the order of d's labels.
func (s *Set) Add(d *Desc, v float64, values ...string) {
	if d.typ == Histogram {
		s.Fail(fmt.Errorf("metric %s is a histogram: add it with AddHistogram", d.name))
		return
	}
	s.add(d, Metric{Value: v}, values)
}

// AddHistogram adds a histogram series of d: count observations summing
// to sum, buckets mapping upper bounds to cumulative counts (a +Inf
// bucket of count is written when buckets has none).
func (s *Set) AddHistogram(d *Desc, count uint64, sum float64, buckets map[float64]uint64, values ...string) {
	if d.typ != Histogram {
		s.Fail(fmt.Errorf("metric %s is a %s, not a histogram", d.name, d.typ))
		return
	}
	m := Metric{Sum: sum, Count: count}
	for _, ub := range slices.Sorted(maps.Keys(buckets)) {
		m.Buckets = append(m.Buckets, Bucket{UpperBound: ub, Count: buckets[ub]})
	}
	s.add(d, m, values)
}

// Fail records err: a metric that could not be read.
func (s *Set) Fail(err error) { s.errs = append(s.errs, err) }

// Err returns the errors of the metrics left out, joined; nil if none.
func (s *Set) Err() error { return errors.Join(s.errs...) }

func (s *Set) add(d *Desc, m Metric, values []string) {
	if d.err != nil {
		s.Fail(d.err)
		return
	}
	if len(values) != len(d.labels) {
		s.Fail(fmt.Errorf("metric %s: %d label values for %d labels %q", d.name, len(values), len(d.labels), d.labels))
		return
	}
	m.Labels = make([]Label, len(values))
	for i, j := range d.order {
		m.Labels[i] = Label{Name: d.labels[j], Value: values[j]}
	}
	s.insert(d.name, d.help, d.typ, m)
}

// Merge adds the series of families gathered in another set, with the
// same checks as Add.
func (s *Set) Merge(families []*Family) {
	for _, f := range families {
		for _, m := range f.Metrics {
			s.insert(f.Name, f.Help, f.Type, m)
		}
	}
}

// insert adds m, whose labels are sorted by name, to the family name
// unless the series cannot be exposed beside the others.
func (s *Set) insert(name, help string, typ Type, m Metric) {
	names := make([]string, len(m.Labels))
	for i, l := range m.Labels {
		names[i] = l.Name
		if !utf8.ValidString(l.Value) {
			s.Fail(fmt.Errorf("metric %s: label %s: value %q is not UTF-8", name, l.Name, l.Value))
			return
		}
	}
	f, ok := s.families[name]
	switch {
	case !ok:
		if err := s.collides(name, typ); err != nil {
			s.Fail(err)
			return
		}
		f = &Family{Name: name, Help: help, Type: typ}
		s.families[name], s.labels[name] = f, names
	case f.Help != help:
		s.Fail(fmt.Errorf("metric %s has help %q but should have %q", name, help, f.Help))
		return
	case f.Type != typ:
		s.Fail(fmt.Errorf("metric %s is a %s but should be a %s", name, typ, f.Type))
		return
	case !slices.Equal(s.labels[name], names):
		s.Fail(fmt.Errorf("metric %s has labels %q but should have %q", name, names, s.labels[name]))
		return
	}
	key := seriesKey(name, m.Labels)
	if _, dup := s.series[key]; dup {
		s.Fail(fmt.Errorf("metric %s%s was collected before with the same label values", name, labelText(m.Labels)))
		return
	}
	s.series[key] = struct{}{}
	f.Metrics = append(f.Metrics, m)
}

// collides returns an error when a family name would write the same
// sample names as another: a histogram's _bucket, _sum and _count.
func (s *Set) collides(name string, typ Type) error {
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok {
			if f, ok := s.families[base]; ok && f.Type == Histogram {
				return fmt.Errorf("metric %s collides with histogram %s", name, base)
			}
		}
		if _, ok := s.families[name+suffix]; ok && typ == Histogram {
			return fmt.Errorf("histogram %s collides with metric %s", name, name+suffix)
		}
	}
	return nil
}

func seriesKey(name string, labels []Label) string {
	var b strings.Builder
	b.WriteString(name)
	for _, l := range labels {
		b.WriteByte(0xff)
		b.WriteString(l.Name)
		b.WriteByte(0xff)
		b.WriteString(l.Value)
	}
	return b.String()
}

// Families returns the families that hold series, sorted by name, each
// one's series sorted by their label values.
func (s *Set) Families() []*Family {
	var out []*Family
	for _, name := range slices.Sorted(maps.Keys(s.families)) {
		f := s.families[name]
		if len(f.Metrics) == 0 {
			continue
		}
		slices.SortFunc(f.Metrics, compareMetrics)
		out = append(out, f)
	}
	return out
}

// compareMetrics orders series by their label values, label by label.
func compareMetrics(a, b Metric) int {
	if c := cmp.Compare(len(a.Labels), len(b.Labels)); c != 0 {
		return c
	}
	for i := range a.Labels {
		if c := cmp.Compare(a.Labels[i].Value, b.Labels[i].Value); c != 0 {
			return c
		}
	}
	return 0
}

// Package promtext owns tcpaudit's model of Prometheus metrics and their
// text exposition format 0.0.4: metric descriptions with validated names,
// a Set that gathers gauges, counters and histograms and refuses what a
// scrape must not hold (two series with the same labels, a family seen
// with two help texts or types, label values that are not UTF-8), and the
// writer of the sorted families.
package promtext

import (
	"cmp"
	"fmt"
	"slices"
)

// Type is the type of a metric family.
type Type uint8

// The types of metric families tcpaudit exposes.
const (
	Gauge Type = iota
	Counter
	Histogram
)

// String returns the type as the TYPE line names it.
func (t Type) String() string {
	switch t {
	case Gauge:
		return "gauge"
	case Counter:
		return "counter"
	case Histogram:
		return "histogram"
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// Desc describes a metric family: its name, help text, type and the names
// of its labels, in the order their values are given to Set.Add. A Desc
// whose name or labels are not valid carries the error, which every Add
// of it records.
type Desc struct {
	name, help string
	typ        Type
	labels     []string
	order      []int // indices of labels sorted by name
	err        error
}

// NewDesc returns the description of a family.
func NewDesc(name, help string, typ Type, labels ...string) *Desc {
	d := &Desc{name: name, help: help, typ: typ, labels: slices.Clone(labels)}
	d.err = d.validate()
	d.order = make([]int, len(labels))
	for i := range d.order {
		d.order[i] = i
	}
	slices.SortFunc(d.order, func(a, b int) int { return cmp.Compare(labels[a], labels[b]) })
	return d
}

// Name returns the family's name.
func (d *Desc) Name() string { return d.name }

func (d *Desc) validate() error {
	if !validMetricName(d.name) {
		return fmt.Errorf("%q is not a valid metric name", d.name)
	}
	if d.typ > Histogram {
		return fmt.Errorf("metric %s: unknown %s", d.name, d.typ)
	}
	for i, l := range d.labels {
		switch {
		case !validLabelName(l):
			return fmt.Errorf("%q is not a valid label name for metric %q", l, d.name)
		case slices.Contains(d.labels[:i], l):
			return fmt.Errorf("duplicate label name %q for metric %q", l, d.name)
		case d.typ == Histogram && l == "le":
			return fmt.Errorf("histogram %q must not have a label named le", d.name)
		}
	}
	return nil
}

// validMetricName reports whether s matches [a-zA-Z_:][a-zA-Z0-9_:]*, the
// names every version of the text format reads unquoted.
func validMetricName(s string) bool {
	return validName(s, true)
}

// validLabelName reports whether s matches [a-zA-Z_][a-zA-Z0-9_]* and does
// not start with "__", which Prometheus reserves.
func validLabelName(s string) bool {
	return validName(s, false) && (len(s) < 2 || s[:2] != "__")
}

func validName(s string, colon bool) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' ||
			i > 0 && c >= '0' && c <= '9' || colon && c == ':'
		if !ok {
			return false
		}
	}
	return true
}

package promtext

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// ContentType is the media type of the text exposition format 0.0.4.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Write writes families in the text exposition format 0.0.4: for each, its
// HELP and TYPE lines, then one line per sample; a histogram's buckets end
// with le="+Inf" and are followed by its _sum and _count.
func Write(w io.Writer, families []*Family) error {
	bw := bufio.NewWriter(w)
	for _, f := range families {
		writeFamily(bw, f)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write metrics: %w", err)
	}
	return nil
}

func writeFamily(w *bufio.Writer, f *Family) {
	w.WriteString("# HELP ")
	w.WriteString(f.Name)
	w.WriteByte(' ')
	helpEscaper.WriteString(w, f.Help)
	w.WriteString("\n# TYPE ")
	w.WriteString(f.Name)
	w.WriteByte(' ')
	w.WriteString(f.Type.String())
	w.WriteByte('\n')
	for _, m := range f.Metrics {
		if f.Type != Histogram {
			writeSample(w, f.Name, m.Labels, nil, m.Value)
			continue
		}
		inf := false
		for _, b := range m.Buckets {
			writeSample(w, f.Name+"_bucket", m.Labels, &b.UpperBound, float64(b.Count))
			inf = inf || math.IsInf(b.UpperBound, +1)
		}
		if !inf {
			writeSample(w, f.Name+"_bucket", m.Labels, new(math.Inf(+1)), float64(m.Count))
		}
		writeSample(w, f.Name+"_sum", m.Labels, nil, m.Sum)
		writeSample(w, f.Name+"_count", m.Labels, nil, float64(m.Count))
	}
}

// writeSample writes one sample line: the name, the labels (and le when
// given) and the value.
func writeSample(w *bufio.Writer, name string, labels []Label, le *float64, v float64) {
	w.WriteString(name)
	if len(labels) > 0 || le != nil {
		sep := byte('{')
		for _, l := range labels {
			w.WriteByte(sep)
			w.WriteString(l.Name)
			w.WriteString(`="`)
			valueEscaper.WriteString(w, l.Value)
			w.WriteByte('"')
			sep = ','
		}
		if le != nil {
			w.WriteByte(sep)
			w.WriteString(`le="`)
			w.WriteString(formatFloat(*le))
			w.WriteByte('"')
		}
		w.WriteByte('}')
	}
	w.WriteByte(' ')
	w.WriteString(formatFloat(v))
	w.WriteByte('\n')
}

// The escapes of the format: in HELP text a backslash and a newline, in a
// label value a double quote as well.
var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	valueEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

// formatFloat writes v as the format reads it: the shortest decimal that
// reads back as v, +Inf, -Inf or NaN.
func formatFloat(v float64) string {
	switch {
	case v == 0:
		return "0" // -0 too
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, +1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// labelText is labels as a sample line writes them, for error messages.
func labelText(labels []Label) string {
	var b strings.Builder
	bw := bufio.NewWriter(&b)
	writeSample(bw, "", labels, nil, 0)
	bw.Flush()
	s, _, _ := strings.Cut(b.String(), " ")
	return s
}

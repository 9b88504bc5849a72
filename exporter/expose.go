package exporter

import (
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/tcpaudit/tcpaudit/internal/promtext"
)

// writeMetrics answers r with families in the text exposition format,
// compressed with gzip when the client prefers it to no compression (with
// a writer of x's pool: each holds about 800 KB of compressor state). An
// error writing means the client left: there is nobody to tell.
func (x *Exporter) writeMetrics(w http.ResponseWriter, r *http.Request, families []*promtext.Family) {
	h := w.Header()
	h.Set("Content-Type", promtext.ContentType)
	h.Add("Vary", "Accept-Encoding")
	var out io.Writer = w
	if prefersGzip(r.Header.Values("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		gz, _ := x.gzips.Get().(*gzip.Writer)
		if gz == nil {
			gz = gzip.NewWriter(w)
		} else {
			gz.Reset(w)
		}
		defer func() {
			_ = gz.Close()
			x.gzips.Put(gz)
		}()
		out = gz
	}
	_ = promtext.Write(out, families)
}

// prefersGzip reports whether Accept-Encoding values give gzip a higher
// weight than the identity coding: a coding named has its own weight, one
// not named that of "*" if present, else none. A plain "gzip" prefers it,
// "gzip, identity", "*" and "gzip;q=0" do not (RFC 9110 §12.5.3).
func prefersGzip(values []string) bool {
	named := map[string]float64{}
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(item, ";")
			if coding = strings.ToLower(strings.TrimSpace(coding)); coding != "" {
				named[coding] = weight(params)
			}
		}
	}
	q := func(coding string) float64 {
		if w, ok := named[coding]; ok {
			return w
		}
		if w, ok := named["*"]; ok {
			return w
		}
		return -1
	}
	return q("gzip") > 0 && q("gzip") > q("identity")
}

// weight is the q parameter among params (1 when absent, 0 when not a
// number).
func weight(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return 0
			}
			return q
		}
	}
	return 1
}

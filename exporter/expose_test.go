package exporter_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tcpaudit/tcpaudit/exporter"
)

// TestMetricsEncoding: /metrics is the text format 0.0.4, gzipped when
// the client prefers gzip (as Prometheus asks) and plain when it does not;
// both parse with expfmt to the same families.
func TestMetricsEncoding(t *testing.T) {
	x := exporter.New((&source{}).eval, 0, "test")
	url := serve(t, x)
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for _, c := range []struct {
		accept string
		gzip   bool
	}{
		{"gzip", true},
		{"gzip;q=1.0, *;q=0.5", true},
		{"GZIP", true},
		{"", false},
		{"identity", false},
		{"gzip, identity", false},
		{"gzip;q=0", false},
		{"*", false},
		{"br;q=1, deflate", false},
	} {
		req, err := http.NewRequest(http.MethodGet, url+"/metrics", nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.accept != "" {
			req.Header.Set("Accept-Encoding", c.accept)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.Header.Get("Content-Type"); got != "text/plain; version=0.0.4; charset=utf-8" {
			t.Errorf("Accept-Encoding %q: Content-Type %q", c.accept, got)
		}
		if got := resp.Header.Get("Content-Encoding") == "gzip"; got != c.gzip {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", c.accept, got, c.gzip)
		}
		if c.gzip {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("Accept-Encoding %q: %v", c.accept, err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatalf("Accept-Encoding %q: %v", c.accept, err)
			}
		}
		p := expfmt.NewTextParser(model.LegacyValidation)
		mfs, err := p.TextToMetricFamilies(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("Accept-Encoding %q: expfmt: %v\n%s", c.accept, err, body)
		}
		if up(t, mfs) != 1 || mfs["tcpaudit_rule_status"] == nil {
			t.Errorf("Accept-Encoding %q: want tcpaudit_up 1 and the result's series:\n%s", c.accept, body)
		}
	}
}

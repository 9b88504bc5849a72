package main

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/rules"
)

// BenchmarkCensusPortExhaustion gathers the largest fixture (51,475
// sockets, 7.8 MB of net/tcp) and reports the census alone as census-ms.
func BenchmarkCensusPortExhaustion(b *testing.B) {
	opts := audit.Options{ProcRoot: filepath.Join(hostsDir, "port-exhaustion"), Keys: rules.NewEngine().Keys()}
	var census time.Duration
	for b.Loop() {
		f, err := audit.Gather(opts)
		if err != nil {
			b.Fatal(err)
		}
		census += f.CensusTime
	}
	b.ReportMetric(float64(census.Microseconds())/1000/float64(b.N), "census-ms")
}

// BenchmarkCheckPortExhaustion runs check end to end on the largest fixture.
func BenchmarkCheckPortExhaustion(b *testing.B) {
	args := []string{"check", "--format", "json", "--proc-root", filepath.Join(hostsDir, "port-exhaustion")}
	for b.Loop() {
		if code := run(context.Background(), args, io.Discard, io.Discard); code != 1 {
			b.Fatalf("exit %d, want 1", code)
		}
	}
}

package report

import (
	"io"
	"testing"
)

// BenchmarkWrite renders the port-exhaustion fixture host (51,475 sockets,
// every rule of the catalog) in each format.
func BenchmarkWrite(b *testing.B) {
	res := hostResult(b, "port-exhaustion")
	for _, format := range Formats {
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := Write(io.Discard, format, res, testOptions); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

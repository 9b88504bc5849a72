package sysctlconf

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParse reads a 10,000-line file with comments, globs and
// exclusions.
func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 2500; i++ {
		fmt.Fprintf(&sb, "# comment %d\nnet.ipv4.conf.eth%d.rp_filter = 2\n-net.ipv4.conf.*.log_martians\nnet.ipv4.tcp_rmem = 4096 131072 %d\n", i, i, 6291456+i)
	}
	text := sb.String()
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(strings.NewReader(text), "bench.conf"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResolve resolves the largest test tree.
func BenchmarkResolve(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := Resolve(tree("merge")); err != nil {
			b.Fatal(err)
		}
	}
}

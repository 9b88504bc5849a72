package taskfd

import (
	"os"
	"testing"
	"time"
)

func TestScratch(t *testing.T) {
	f, _ := os.Open("/sys/kernel/btf/vmlinux")
	st, _ := f.Stat()
	t0 := time.Now()
	l, err := readLayout(f, st.Size())
	t.Logf("%v %+v %v", time.Since(t0), l, err)
}

func BenchmarkScratch(b *testing.B) {
	f, _ := os.Open("/sys/kernel/btf/vmlinux")
	st, _ := f.Stat()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := readLayout(f, st.Size()); err != nil {
			b.Fatal(err)
		}
	}
}

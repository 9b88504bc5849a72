//go:build linux

package audit

import (
	"os"
	"strconv"
	"syscall"
	"testing"
)

// openSockets opens n TCP sockets (unconnected: they have inodes but are
// not in any table) and returns their inodes.
func openSockets(tb testing.TB, n int) map[uint64]State {
	tb.Helper()
	inodes := make(map[uint64]State, n)
	for range n {
		fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { syscall.Close(fd) })
		var st syscall.Stat_t
		if err := syscall.Fstat(fd, &st); err != nil {
			tb.Fatal(err)
		}
		inodes[st.Ino] = Established
	}
	return inodes
}

// TestFDScannerFindsOwnSockets checks the getdents/readlinkat scanner
// against fstat of the same descriptors.
func TestFDScannerFindsOwnSockets(t *testing.T) {
	want := openSockets(t, 50)
	seen := map[uint64]bool{}
	err := newFDScanner().sockets("/proc/"+strconv.Itoa(os.Getpid())+"/fd", func(ino uint64) { seen[ino] = true })
	if err != nil {
		t.Fatal(err)
	}
	for ino := range want {
		if !seen[ino] {
			t.Errorf("socket inode %d not found by the scanner", ino)
		}
	}
}

// BenchmarkFDScan measures scanning this process's descriptors (2000
// sockets), per descriptor.
func BenchmarkFDScan(b *testing.B) {
	const n = 2000
	openSockets(b, n)
	sc := newFDScanner()
	dir := "/proc/" + strconv.Itoa(os.Getpid()) + "/fd"
	count := 0
	b.ReportAllocs()
	for b.Loop() {
		if err := sc.sockets(dir, func(uint64) { count++ }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/fd")
}

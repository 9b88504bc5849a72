package snapshot

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/fixture"
)

// TestOpenCancelled: a context cancelled during the extraction of a large
// snapshot stops Open within a second, and the temporary directory is gone.
func TestOpenCancelled(t *testing.T) {
	file := fixture.Tarball(t, TopDir, 20_000, 512<<20)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, after := range []time.Duration{50 * time.Millisecond, 400 * time.Millisecond} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(after, cancel)
		start := time.Now()
		_, cleanup, err := Open(ctx, file, DefaultLimits)
		took := time.Since(start) - after
		if err == nil {
			cleanup()
			t.Fatalf("cancelled after %s: Open finished first; make the tarball larger", after)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled after %s: %v, want context.Canceled", after, err)
		}
		if took > time.Second {
			t.Errorf("cancelled after %s: Open returned %s later", after, took)
		}
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Errorf("cancelled after %s: left %v", after, left)
		}
	}
}

// TestEntryLimitBeforeWriting: a tarball with more entries than the limit
// is refused before one of them is written.
func TestEntryLimitBeforeWriting(t *testing.T) {
	f, err := os.Open(fixture.Tarball(t, TopDir, 1001, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dir := t.TempDir()
	_, err = Extract(context.Background(), f, dir, Limits{FileBytes: 1 << 20, TotalBytes: 1 << 20, Entries: 1000})
	if !errors.Is(err, ErrUnsafe) {
		t.Fatalf("%v, want ErrUnsafe", err)
	}
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("wrote %d entries before refusing", len(left))
	}
}

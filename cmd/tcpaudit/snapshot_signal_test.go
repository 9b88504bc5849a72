package main

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestSnapshotExtractionSignal: SIGTERM during the extraction of a large
// snapshot ends `check --snapshot` within a second, exit 2, and its
// temporary directory is gone.
func TestSnapshotExtractionSignal(t *testing.T) {
	long(t, "builds the binary and a 1 GiB snapshot")
	bin := buildBinary(t, t.TempDir())
	file := zeroSnapshot(t, 1<<30)
	tmp := t.TempDir()
	cmd := exec.Command(bin, "check", "--snapshot", file)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		took := time.Since(start)
		t.Logf("exit %d %s after SIGTERM", exitCode(t, err), took)
		if code := exitCode(t, err); code != exitError {
			t.Errorf("exit %d after SIGTERM, want 2", code)
		}
		if took > time.Second {
			t.Errorf("exited %s after SIGTERM, want within 1s", took)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill() //nolint:errcheck // the test has failed already
		t.Fatal("still extracting 10s after SIGTERM")
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("left behind in TMPDIR: %v", left)
	}
}

// zeroSnapshot writes a snapshot tarball holding one file of size zero
// bytes: small on disk, long to extract.
func zeroSnapshot(t *testing.T, size int64) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "big.tar.gz")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewWriterLevel(f, gzip.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(gz)
	if err := tw.WriteHeader(&tar.Header{Name: "proc/big", Typeflag: tar.TypeReg, Mode: 0o644, Size: size}); err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(tw, zeroReader{}, size); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

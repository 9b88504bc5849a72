package main

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/fixture"
)

// TestSnapshotExtractionSignal: SIGTERM during the extraction of a large
// snapshot ends `check --snapshot` within a second, exit 2, and its
// temporary directory is gone.
func TestSnapshotExtractionSignal(t *testing.T) {
	long(t, "builds the binary and a 1 GiB snapshot")
	bin := buildBinary(t, t.TempDir())
	file := fixture.Tarball(t, "proc", 0, 1<<30)
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

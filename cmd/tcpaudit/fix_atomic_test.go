package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// oldDropIn is the content a --write replaces in these tests.
const oldDropIn = "# the previous drop-in\nnet.ipv4.tcp_fin_timeout = 60\n"

// TestFixWriteKeepsModeAndOwner: replacing a file keeps its permission
// bits and, as root, its owner; the previous version is kept as FILE.bak.
func TestFixWriteKeepsModeAndOwner(t *testing.T) {
	root := emptyRoot(t)
	file := filepath.Join(root, "etc", "sysctl.d", "99-tcpaudit.conf")
	if err := os.WriteFile(file, []byte(oldDropIn), 0o600); err != nil {
		t.Fatal(err)
	}
	owner := os.Geteuid()
	if owner == 0 {
		owner = 65534
		if err := os.Chown(file, owner, owner); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, stderr := runCLI(t, "fix", "--proc-root", fixHost, "--root", root, "--write", file); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want the replaced file's 0600", st.Mode().Perm())
	}
	if uid := int(st.Sys().(*syscall.Stat_t).Uid); uid != owner {
		t.Errorf("owner %d, want the replaced file's %d", uid, owner)
	}
	if b, _ := os.ReadFile(file + ".bak"); string(b) != oldDropIn {
		t.Errorf("backup holds %q, want the previous drop-in", b)
	}
}

// TestFixWriteRefusesSymlink: --write never writes through a symlink, so a
// link planted in the tree cannot redirect the write to a file outside it.
func TestFixWriteRefusesSymlink(t *testing.T) {
	root := emptyRoot(t)
	outside := filepath.Join(t.TempDir(), "outside.conf")
	if err := os.WriteFile(outside, []byte(oldDropIn), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(root, "etc", "sysctl.d", "99-tcpaudit.conf")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "fix", "--proc-root", fixHost, "--root", root, "--write", link)
	if code != exitError || !strings.Contains(stderr, link) {
		t.Errorf("exit %d, stderr %q: want 2 naming %s", code, stderr, link)
	}
	if b, _ := os.ReadFile(outside); string(b) != oldDropIn {
		t.Errorf("the symlink's target was changed to %q", b)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced: %v", err)
	}
}

// TestFixWriteCrash makes the writer fail mid-write and finds the old file
// or the new one, never a mix: first with a file-size limit that makes the
// write of the temporary file fail, then with SIGKILL at spread-out moments
// of the run.
func TestFixWriteCrash(t *testing.T) {
	long(t, "builds the binary")
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("prlimit (util-linux) not installed: cannot limit the writer's file size")
	}
	bin := buildBinary(t, t.TempDir())
	root := emptyRoot(t)
	file := filepath.Join(root, "etc", "sysctl.d", "99-tcpaudit.conf")
	args := []string{"fix", "--proc-root", fixHost, "--root", root, "--write", file}
	reset := func() {
		t.Helper()
		os.Remove(file + ".bak")
		if err := os.WriteFile(file, []byte(oldDropIn), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The new drop-in names the old one among the setters it overrides,
	// so it is computed with the old one in place, as every run below.
	reset()
	newDropIn := writeOnce(t, bin, args, file)
	reset()
	// Go ignores SIGXFSZ, so the write past the limit fails with EFBIG
	// and the command must report it and leave the old file in place.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	limited := exec.CommandContext(ctx, prlimit, append([]string{"--fsize=100", "--", bin}, args...)...)
	var stderr bytes.Buffer
	limited.Stderr = &stderr
	err = limited.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitError || !strings.Contains(stderr.String(), file) {
		t.Fatalf("writer under a 100-byte file limit: %v, stderr %q: want exit 2 naming %s", err, stderr.String(), file)
	}
	if b, _ := os.ReadFile(file); string(b) != oldDropIn {
		t.Fatalf("after a failed write the file holds %q, want the old drop-in", b)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".*.tmp*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}

	// SIGKILL at moments spread over a normal run (bounded: 30 runs).
	mixed, olds := 0, 0
	for i := range 30 {
		reset()
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(i) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		b, _ := os.ReadFile(file)
		if bytes.Equal(b, []byte(oldDropIn)) {
			olds++
		} else if !bytes.Equal(b, newDropIn) {
			mixed++
			t.Errorf("killed after %d ms: the file holds neither the old nor the new drop-in:\n%s", i, b)
		}
	}
	t.Logf("30 kills: %d left the old file, %d the new one, %d a mix", olds, 30-olds-mixed, mixed)
}

// writeOnce runs a complete --write and returns what it wrote.
func writeOnce(t *testing.T, bin string, args []string, file string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("fix --write: %v\n%s", err, out)
	}
	b, err := os.ReadFile(file)
	if err != nil || len(b) <= 100 {
		t.Fatalf("fix --write wrote %d bytes (%v): the crash test needs more than 100", len(b), err)
	}
	return b
}

package main

import (
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// fileType is what is at p, a symlink not followed.
func fileType(t *testing.T, p string) os.FileMode {
	t.Helper()
	st, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Type()
}

// TestOutputKinds: --output writes into a character device and a FIFO
// (check and lint), follows a symlink to write its target, and refuses a
// directory, a socket and a dangling symlink with exit 2; none of them
// becomes a regular file.
func TestOutputKinds(t *testing.T) {
	host := filepath.Join(hostsDir, "healthy")
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		null := filepath.Join(dir, "devnull")
		if err := unix.Mknod(null, unix.S_IFCHR|0o644, int(unix.Mkdev(1, 3))); err != nil {
			t.Fatal(err)
		}
		if code, _, stderr := runCLI(t, "check", "--proc-root", host, "--fail-on", "never", "-o", null); code != exitOK || fileType(t, null) != os.ModeDevice|os.ModeCharDevice {
			t.Errorf("-o a null device: exit %d (%s), now %v", code, stderr, fileType(t, null))
		}
	}
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"check", "--proc-root", host}, {"lint", "../../testdata/lint/good"}} {
		// The reader opens first without waiting, so a FIFO wrongly
		// replaced reads empty instead of hanging the test.
		r, err := os.OpenFile(fifo, os.O_RDONLY|unix.O_NONBLOCK, 0)
		if err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runCLI(t, append(args, "--fail-on", "never", "--format", "json", "-o", fifo)...)
		b, _ := io.ReadAll(r)
		r.Close()
		if code != exitOK || !strings.HasPrefix(string(b), "{") || fileType(t, fifo) != os.ModeNamedPipe {
			t.Errorf("%s -o FIFO: exit %d (%s), reader got %d bytes, now %v", args[0], code, stderr, len(b), fileType(t, fifo))
		}
	}
	target := filepath.Join(t.TempDir(), "report.json")
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "check", "--proc-root", host, "--fail-on", "never", "--format", "json", "-o", link)
	if b, _ := os.ReadFile(target); code != exitOK || fileType(t, link) != os.ModeSymlink || !strings.HasPrefix(string(b), "{") {
		t.Errorf("-o symlink: exit %d (%s), link now %v, target holds %d bytes", code, stderr, fileType(t, link), len(b))
	}
	refused(t, host, dir)
}

// refused checks that --output to a directory, a socket and a dangling
// symlink exits 2 naming it and leaves it as it was.
func refused(t *testing.T, host, dir string) {
	t.Helper()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	dangling := filepath.Join(dir, "dangling")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{sub, sock, dangling} {
		before := fileType(t, p)
		code, _, stderr := runCLI(t, "check", "--proc-root", host, "--fail-on", "never", "-o", p)
		if code != exitError || !strings.Contains(stderr, p) || fileType(t, p) != before {
			t.Errorf("-o %v: exit %d, stderr %q, now %v", before, code, stderr, fileType(t, p))
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); err == nil {
		t.Error("the dangling symlink's target was created")
	}
}

// TestOutputDevStdout: -o /dev/null and -o /dev/stdout, run in a mount
// namespace of the test's own whose /dev is a fresh tmpfs (so that the
// host's /dev is never at stake), leave /dev/null a device and /dev/stdout
// a symlink; /dev/stdout writes to the descriptor the shell opened, so a
// >> redirection keeps what its file held.
func TestOutputDevStdout(t *testing.T) {
	long(t, "builds the binary")
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs over /dev in a new mount namespace needs root")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("unshare (util-linux) not installed")
	}
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	host, err := filepath.Abs(filepath.Join(hostsDir, "healthy"))
	if err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "log")
	if err := os.WriteFile(log, []byte("kept\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const script = `set -e
mount -t tmpfs tcpaudit-test-dev /dev
mknod -m 666 /dev/null c 1 3
ln -s /proc/self/fd/1 /dev/stdout
"$1" check --proc-root "$2" --fail-on never --format json -o /dev/null
"$1" check --proc-root "$2" --fail-on never --format json -o /dev/stdout >>"$3"
stat -c %F /dev/null /dev/stdout`
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ns := []string{"--mount", "--propagation", "private", "sh", "-c"}
	if out, err := exec.CommandContext(ctx, unshare, append(ns, "mount -t tmpfs tcpaudit-test-dev /dev")...).CombinedOutput(); err != nil {
		t.Skipf("cannot make a mount namespace with its own /dev: %v\n%s", err, out)
	}
	out, err := exec.CommandContext(ctx, unshare, append(ns, script, "sh", bin, host, log)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got := string(out); got != "character special file\nsymbolic link\n" {
		t.Errorf("/dev/null and /dev/stdout are now:\n%s", got)
	}
	if b, _ := os.ReadFile(log); !strings.HasPrefix(string(b), "kept\n{") {
		t.Errorf("-o /dev/stdout >> log: the log holds %.80q", b)
	}
}

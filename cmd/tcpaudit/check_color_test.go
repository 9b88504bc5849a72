package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY returns both ends of a new pseudo-terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal (%v): the colour test needs /dev/ptmx", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err == nil {
		err = unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0)
	}
	if err != nil {
		m.Close()
		t.Skipf("pseudo-terminal setup: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("open pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// runOnTTY runs the command with stdout on a terminal and returns what the
// terminal received, up to the report's last line (the summary, ending in
// "disabled"). Reading is bounded by a deadline.
func runOnTTY(t *testing.T, args ...string) string {
	t.Helper()
	master, slave := openPTY(t)
	done := make(chan []byte, 1)
	go func() {
		var got []byte
		buf := make([]byte, 4096)
		_ = master.SetReadDeadline(time.Now().Add(10 * time.Second))
		for !bytes.Contains(got, []byte("disabled\r\n")) && !bytes.Contains(got, []byte("disabled\n")) {
			n, err := master.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				break
			}
		}
		done <- got
	}()
	var stderr bytes.Buffer
	if code := run(context.Background(), args, slave, &stderr); code == exitError {
		t.Fatalf("check %v: exit 2: %s", args, stderr.String())
	}
	return string(<-done)
}

// TestCheckColour runs check with stdout on a real pseudo-terminal: colour
// is on by default there, and --no-color and NO_COLOR turn it off.
func TestCheckColour(t *testing.T) {
	root := filepath.Join(hostsDir, "misconfigured")
	const esc = "\x1b["
	if out := runOnTTY(t, "check", "--proc-root", root); !strings.Contains(out, esc) {
		t.Fatalf("no ANSI colour on a terminal:\n%q", out)
	}
	if out := runOnTTY(t, "check", "--proc-root", root, "--no-color"); strings.Contains(out, esc) || !strings.Contains(out, "somaxconn-low") {
		t.Errorf("--no-color: want a report without escapes, got:\n%q", out)
	}
	t.Setenv("NO_COLOR", "1")
	if out := runOnTTY(t, "check", "--proc-root", root); strings.Contains(out, esc) || !strings.Contains(out, "somaxconn-low") {
		t.Errorf("NO_COLOR=1: want a report without escapes, got:\n%q", out)
	}
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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

// readTerminal returns what the master end of a pseudo-terminal receives
// until it holds one of wants, or what it received in 10 seconds.
func readTerminal(master *os.File, wants ...string) string {
	_ = master.SetReadDeadline(time.Now().Add(10 * time.Second))
	var got []byte
	buf := make([]byte, 4096)
	for !slices.ContainsFunc(wants, func(w string) bool { return bytes.Contains(got, []byte(w)) }) {
		n, err := master.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break // the deadline: what arrived is the caller's to check
		}
	}
	return string(got)
}

// runOnTTY runs the command with stdout on a terminal and returns what the
// terminal received, up to the report's last line (the summary, ending in
// "disabled").
func runOnTTY(t *testing.T, args ...string) string {
	t.Helper()
	master, slave := openPTY(t)
	done := make(chan string, 1)
	go func() { done <- readTerminal(master, "disabled\r\n", "disabled\n") }()
	var stderr bytes.Buffer
	if code := run(context.Background(), args, slave, &stderr); code == exitError {
		t.Fatalf("check %v: exit 2: %s", args, stderr.String())
	}
	return <-done
}

// TestCheckColour runs check with stdout on a real pseudo-terminal: colour
// is on by default there, and --no-color, TERM=dumb and NO_COLOR turn it off.
func TestCheckColour(t *testing.T) {
	root := filepath.Join(hostsDir, "misconfigured")
	const esc = "\x1b["
	if out := runOnTTY(t, "check", "--proc-root", root); !strings.Contains(out, esc) {
		t.Fatalf("no ANSI colour on a terminal:\n%q", out)
	}
	if out := runOnTTY(t, "check", "--proc-root", root, "--no-color"); strings.Contains(out, esc) || !strings.Contains(out, "somaxconn-low") {
		t.Errorf("--no-color: want a report without escapes, got:\n%q", out)
	}
	t.Setenv("TERM", "dumb")
	if out := runOnTTY(t, "check", "--proc-root", root); strings.Contains(out, esc) || !strings.Contains(out, "somaxconn-low") {
		t.Errorf("TERM=dumb: want a report without escapes, got:\n%q", out)
	}
	t.Setenv("TERM", "xterm")
	t.Setenv("NO_COLOR", "1")
	if out := runOnTTY(t, "check", "--proc-root", root); strings.Contains(out, esc) || !strings.Contains(out, "somaxconn-low") {
		t.Errorf("NO_COLOR=1: want a report without escapes, got:\n%q", out)
	}
}

// TestSamplingProgressOnTerminalOnly samples a fixture host three times:
// with stderr on a terminal, progress ("sampling 3/3") is written there;
// with stderr not a terminal, nothing is, and stdout holds the report alone
// either way.
func TestSamplingProgressOnTerminalOnly(t *testing.T) {
	root := filepath.Join(hostsDir, "healthy")
	for _, cmd := range []string{"check", "sockets"} {
		args := []string{cmd, "--proc-root", root, "--samples", "3", "--interval", "1ms", "--no-color"}
		if cmd == "sockets" {
			args = args[:len(args)-1]
		}
		ptmx, pts := openPTY(t)
		var out bytes.Buffer
		if code := run(context.Background(), args, &out, pts); code != exitOK {
			t.Fatalf("%s on a terminal: exit %d", cmd, code)
		}
		if got := readTerminal(ptmx, "sampling 3/3"); !strings.Contains(got, "sampling 3/3") {
			t.Errorf("%s: terminal got %q, want progress up to sampling 3/3", cmd, got)
		}
		if strings.Contains(out.String(), "sampling") {
			t.Errorf("%s: progress on stdout:\n%s", cmd, out.String())
		}
		if code, _, stderr := runCLI(t, args...); code != exitOK || stderr != "" {
			t.Errorf("%s not on a terminal: exit %d, stderr %q; want 0 and nothing", cmd, code, stderr)
		}
	}
}

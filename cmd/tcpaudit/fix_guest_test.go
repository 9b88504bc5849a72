package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestFixGuestNamespace runs the built binary under `ip netns exec` in a
// namespace with bad per-namespace sysctls: fix must not offer or write a
// sysctl.d drop-in (it would change the host at its next boot), must say
// why, and must print the `ip netns exec` lines; --write and --diff are
// refused before anything is printed. The same holds from the host with
// --proc-root /proc/PID of a process in that namespace, and not for the
// host's own /proc.
func TestFixGuestNamespace(t *testing.T) {
	g := newGuest(t)
	ip, bin, ns, root, file := g.ip, g.bin, g.ns, g.root, g.file
	inNs := []string{ip, "netns", "exec", ns, bin}
	for _, args := range [][]string{
		{"fix", "--root", root},
		{"fix", "--root", root, "--diff"},
		{"fix", "--root", root, "--write", file},
	} {
		code, out, stderr := runBinary(t, append(inNs, args...)...)
		if flag := args[len(args)-1]; flag == "--diff" || args[len(args)-2] == "--write" {
			if code != exitError || out != "" || !strings.Contains(stderr, "refused: ") || !strings.Contains(stderr, "not the host's") {
				t.Errorf("%v: exit %d, want %d, nothing printed and the reason:\n%s%s", args, code, exitError, out, stderr)
			}
		} else {
			checkGuestFix(t, args, code, exitOK, out, stderr, ns)
		}
		if _, err := os.Stat(file); err == nil {
			t.Fatalf("%v wrote %s", args, file)
		}
	}

	sleep := exec.Command(ip, "netns", "exec", ns, "sleep", "30")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sleep.Process.Kill(); sleep.Wait() })
	waitComm(t, sleep.Process.Pid, "sleep")
	procRoot := "/proc/" + strconv.Itoa(sleep.Process.Pid)
	// A process's directory shows its sockets but not its sysctls: fix
	// says whose namespace it is, that its sysctls are not visible that
	// way and points to --netns; nothing is offered.
	code, out, stderr := runBinary(t, bin, "fix", "--proc-root", procRoot, "--root", root, "--write", file)
	if code != exitError || out != "" || !strings.Contains(stderr, "process "+strconv.Itoa(sleep.Process.Pid)+" is in network namespace") || !strings.Contains(stderr, "--netns PID") {
		t.Errorf("--proc-root %s --write: exit %d, want %d and a reason naming the process:\n%s%s", procRoot, code, exitError, out, stderr)
	}
	if _, err := os.Stat(file); err == nil {
		t.Fatalf("--proc-root %s wrote %s", procRoot, file)
	}

	if _, _, stderr := runBinary(t, bin, "fix", "--root", root); strings.Contains(stderr, "not the host's") {
		t.Errorf("fix on the host's /proc says it is not the host's:\n%s", stderr)
	}
}

// guest is a namespace made for a test, with bad per-namespace sysctls,
// the binary built, and an empty configuration tree with the drop-in's
// name in it.
type guest struct{ ip, bin, ns, root, file string }

func newGuest(t *testing.T) guest {
	t.Helper()
	g := guest{ip: netnsPrereqs(t)}
	g.bin = buildBinary(t, t.TempDir())
	g.ns = nstest.New(t)
	for _, b := range netnsBad[:2] {
		nsRun(t, g.ip, g.ns, "sysctl", "-w", b.key+"="+b.value)
	}
	g.root = emptyRoot(t)
	g.file = filepath.Join(g.root, "etc", "sysctl.d", "90-tcpaudit.conf")
	return g
}

func checkGuestFix(t *testing.T, args []string, code, want int, out, stderr, ns string) {
	t.Helper()
	if code != want || !strings.Contains(stderr, "not the host's") || !strings.Contains(stderr, "/etc/sysctl.d would change the host") {
		t.Errorf("%v: exit %d (want %d), no reason given:\n%s", args, code, want, stderr)
	}
	if strings.Contains(out, "sysctl.d") || strings.Contains(out, "sysctl -p") || strings.Contains(out, "+++") {
		t.Errorf("%v: a drop-in or diff is offered:\n%s", args, out)
	}
	for _, b := range netnsBad[:2] {
		if !strings.Contains(out, "ip netns exec "+ns+" sysctl -w ") || !strings.Contains(out, b.key+"=") {
			t.Errorf("%v: no ip netns exec line for %s:\n%s", args, b.key, out)
		}
	}
}

// runBinary runs a command and returns its exit code and outputs.
func runBinary(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	return exitCode(t, err), string(out), stderr.String()
}

// waitComm waits, at most 5 s, until process pid runs command comm.
func waitComm(t *testing.T, pid int, comm string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm"); err == nil && strings.TrimSpace(string(b)) == comm {
			return
		}
	}
	t.Fatalf("process %d does not run %s", pid, comm)
}

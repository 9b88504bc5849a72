package main

import (
	"net/netip"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/internal/sockgen"
	"github.com/tcpaudit/tcpaudit/netns"
)

// churnIn opens and closes connections at about perSec inside the
// namespace name, from a thread that entered it, until stop is closed or
// at most limit; the returned channel gives the load's error when it ends.
func churnIn(t *testing.T, name string, perSec int, stop <-chan struct{}, limit time.Duration) <-chan error {
	t.Helper()
	ns, err := netns.Resolve(name, "/proc")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- netns.Do(ns, func() error {
			g, err := sockgen.New([]uint16{9000}, []netip.Addr{netip.MustParseAddr("127.0.0.1")})
			if err != nil {
				return err
			}
			defer g.Close()
			for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(time.Second / time.Duration(perSec)) {
				select {
				case <-stop:
					return nil
				default:
				}
				if err := g.TimeWait(); err != nil {
					return err
				}
			}
			return nil
		})
	}()
	return done
}

// TestTuneAllNetnsDiff: tune --all-netns --diff prints each namespace's fix
// under its heading, in the form check --all-netns names it: a namespace of
// the test's whose narrow port range its load outgrows gets it in its
// owner's form (ip netns exec NAME sysctl -w), never a hunk of the host's
// sysctl.d tree; why is said once, and an idle namespace of the test's
// gets no section and no message of its own but is named among those
// with no change; --write stays refused.
func TestTuneAllNetnsDiff(t *testing.T) {
	ns, idle := nstest.New(t), nstest.New(t)
	if out, err := exec.Command("ip", "netns", "exec", ns, "sysctl", "-w", "net.ipv4.ip_local_port_range=40000 40999").CombinedOutput(); err != nil {
		t.Fatalf("sysctl -w in %s: %v: %s", ns, err, out)
	}
	stop := make(chan struct{})
	load := churnIn(t, ns, 100, stop, 2*time.Minute)
	time.Sleep(500 * time.Millisecond)
	code, out, stderr := runCLI(t, "tune", "--all-netns", "--diff", "--root", emptyRoot(t), "--duration", "3s", "--interval", "1s")
	close(stop)
	if err := <-load; err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(out, "== "+ns+" (named, ")
	section, _, _ = strings.Cut(section, "\n== ")
	if code != exitOK || !strings.Contains(section, "ip netns exec "+ns+" sysctl -w 'net.ipv4.ip_local_port_range=") ||
		strings.Contains(section, "+++ ") {
		t.Errorf("tune --all-netns --diff: exit %d; section of %s:\n%s\nstderr:\n%s", code, ns, section, stderr)
	}
	if n := strings.Count(stderr, "a drop-in under /etc/sysctl.d would change"); n != 1 {
		t.Errorf("why a guest's fix is in its owner's form said %d times, want once:\nstderr:\n%s", n, stderr)
	}
	if strings.Contains(out, "== "+idle+" ") || strings.Contains(stderr, "tcpaudit tune: "+idle+" (") {
		t.Errorf("the idle namespace %s has a section or a message of its own:\n%s\nstderr:\n%s", idle, out, stderr)
	}
	if !regexp.MustCompile(`no key needs a change in \d+ of the network namespaces: .*`).MatchString(stderr) {
		t.Errorf("the namespaces with no change are not named together:\n%s", stderr)
	}
	heading := regexp.MustCompile(`^== (host|.+ \((named|container|pod|process)(, [^)]*)?, net:\[\d+\]\)) ==$`)
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "== ") && !heading.MatchString(line) {
			t.Errorf("heading %q is not in the form of check --all-netns", line)
		}
	}
	if code, _, _ := runCLI(t, "tune", "--all-netns", "--write", filepath.Join(t.TempDir(), "x.conf"), "--duration", "500ms", "--interval", "500ms"); code != exitError {
		t.Errorf("tune --all-netns --write: exit %d, want %d", code, exitError)
	}
}

// TestTuneNetnsWriteRefusedFirst: tune --netns NAME --write, for a
// namespace that is not the host's, is refused (exit 2) before the
// observation, not after it, and writes nothing.
func TestTuneNetnsWriteRefusedFirst(t *testing.T) {
	ns := nstest.New(t)
	root := emptyRoot(t)
	file := filepath.Join(root, "etc", "sysctl.d", "90-tcpaudit.conf")
	start := time.Now()
	code, _, stderr := runCLI(t, "tune", "--netns", ns, "--root", root, "--write", file, "--duration", "30s")
	if code != exitError || time.Since(start) > 10*time.Second || !strings.Contains(stderr, "is not the host's") {
		t.Errorf("exit %d after %s (want 2 at once), stderr:\n%s", code, time.Since(start), stderr)
	}
	if written, _ := filepath.Glob(filepath.Join(root, "etc", "sysctl.d", "*")); len(written) > 0 {
		t.Errorf("written: %v", written)
	}
}

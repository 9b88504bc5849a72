package portable_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/golden"
)

// repoRoot is the module's root as seen from this package.
const repoRoot = "../.."

// buildPortable builds cmd/tcpaudit with the tag that selects the code
// other systems build (netlink and getdents left out) on this Linux host.
func buildPortable(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("needs the go command on PATH to build tcpaudit")
	}
	bin := filepath.Join(t.TempDir(), "tcpaudit")
	cmd := exec.Command(goBin, "build", "-tags", "tcpaudit_portable", "-o", bin, "./cmd/tcpaudit")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build -tags tcpaudit_portable: %v\n%s", err, out)
	}
	return bin
}

// run runs bin and returns its stdout, stderr and exit code.
func run(t *testing.T, bin string, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return stdout.String(), stderr.String(), exit.ExitCode()
	case err != nil:
		t.Fatalf("%s %s: %v", bin, strings.Join(args, " "), err)
	}
	return stdout.String(), stderr.String(), 0
}

// TestPortableCheckMatchesGolden audits every fixture host with the
// portable build and compares the JSON and text reports with the golden
// files the Linux build is held to.
func TestPortableCheckMatchesGolden(t *testing.T) {
	bin := buildPortable(t)
	goldenDir := filepath.Join(repoRoot, "cmd", "tcpaudit", "testdata", "golden")
	hosts, err := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	if err != nil || len(hosts) == 0 {
		t.Fatalf("no golden reports under %s: %v", goldenDir, err)
	}
	for _, g := range hosts {
		host := strings.TrimSuffix(filepath.Base(g), ".json")
		root := filepath.Join(repoRoot, "testdata", "hosts", host)
		t.Run(host, func(t *testing.T) {
			out, stderr, code := run(t, bin, "check", "--format", "json", "--proc-root", root)
			if code == 2 {
				t.Fatalf("exit 2: %s", stderr)
			}
			golden.Compare(t, g, []byte(out), false, golden.JSON)
			text, _, _ := run(t, bin, "check", "--no-color", "--proc-root", root)
			golden.Compare(t, filepath.Join(goldenDir, host+".txt"), []byte(text), false, golden.Text)
		})
	}
}

// TestPortableBuildHasNoNetlink: the portable build really is the portable
// code: asked for the netlink census on the live host, it says netlink is
// not available instead of taking it, and auto falls back to the files.
func TestPortableBuildHasNoNetlink(t *testing.T) {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("needs /proc/net/tcp")
	}
	bin := buildPortable(t)
	_, stderr, code := run(t, bin, "sockets", "--source", "netlink")
	if code != 2 || !strings.Contains(stderr, "netlink") {
		t.Errorf("sockets --source netlink: exit %d, stderr %q; want exit 2 naming netlink", code, stderr)
	}
	out, stderr, code := run(t, bin, "sockets", "--format", "json")
	if code != 0 || !strings.Contains(out, `"source": "proc"`) {
		t.Errorf("sockets (auto): exit %d, stderr %q; want the census from /proc:\n%s", code, stderr, out)
	}
}

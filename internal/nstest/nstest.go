// Package nstest runs a test inside a fresh network namespace, so that
// the sockets it creates are the only ones a census or ss can see.
package nstest

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// envName marks a test binary re-executed inside a network namespace.
const envName = "TCPAUDIT_TEST_IN_NETNS"

// Enter reports whether the test runs inside the namespace made for it.
// Otherwise it creates a fresh network namespace (root and ip(8) needed,
// or the test is skipped), re-runs this one test inside it with
// `ip netns exec`, and fails with the child's output if the child fails
// (and skips if the child skipped).
// A fresh namespace keeps other processes' sockets out of the census and
// of ss, so both can be compared exactly. Only top-level tests can use it.
// Typical use:
//
//	if !nstest.Enter(t) {
//		return // the test ran in the namespace
//	}
func Enter(t *testing.T) bool {
	t.Helper()
	if os.Getenv(envName) == t.Name() {
		return true
	}
	return Rerun(t, envName, "ip", "netns", "exec", New(t))
}

// Rerun reports whether the test is the copy that a command re-ran, which
// the variable env names (set to the test's name). Otherwise it runs this
// one test again under the command argv, with the test binary and its
// flags appended, and fails with the copy's output if the copy fails,
// skips if the copy skipped, and returns false. Only top-level tests can
// use it.
func Rerun(t *testing.T, env string, argv ...string) bool {
	t.Helper()
	if os.Getenv(env) == t.Name() {
		return true
	}
	args := append(argv[1:len(argv):len(argv)], os.Args[0],
		"-test.run", "^"+t.Name()+"$", "-test.v", "-test.count=1", "-test.timeout=120s")
	cmd := exec.Command(argv[0], args...)
	cmd.Env = append(os.Environ(), env+"="+t.Name())
	out, err := cmd.CombinedOutput()
	if err == nil && strings.Contains(string(out), "--- SKIP: "+t.Name()) {
		t.Skipf("skipped under %v:\n%s", argv, out)
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("under %v: %v\n%s", argv, err, out)
	}
	return false
}

// New creates a fresh network namespace with lo up and returns its name
// for `ip netns exec`; it is deleted when the test ends. Without root or
// ip(8) the test is skipped.
func New(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a network namespace")
	}
	ip, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("needs ip(8) from iproute2 to create a network namespace")
	}
	ns := fmt.Sprintf("tcpaudit-test-%d-%d", os.Getpid(), time.Now().UnixNano()%1e6)
	if out, err := exec.Command(ip, "netns", "add", ns).CombinedOutput(); err != nil {
		t.Skipf("ip netns add: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command(ip, "netns", "delete", ns).CombinedOutput(); err != nil {
			t.Errorf("ip netns delete %s: %v: %s", ns, err, out)
		}
	})
	if out, err := exec.Command(ip, "-n", ns, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("ip link set lo up: %v: %s", err, out)
	}
	return ns
}

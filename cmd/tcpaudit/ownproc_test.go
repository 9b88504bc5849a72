package main

import (
	"os"
	"os/exec"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// enterOwnProc reports whether the test runs in a PID namespace of its own,
// whose /proc shows only the processes the test starts, with a mount
// namespace whose /run/netns is an empty tmpfs, so that only the ip netns
// names it adds are there. Otherwise it re-runs this one test so (unshare
// --pid --fork --mount-proc; the test binary is PID 1, in the host's
// network namespace) with nstest.Rerun, and returns false.
func enterOwnProc(t *testing.T) bool {
	t.Helper()
	if os.Getenv(ownProcEnv) == t.Name() {
		return true
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil || os.Geteuid() != 0 {
		t.Skipf("needs root and unshare(1) from util-linux for a PID namespace of the test's own: %v", err)
	}
	if err := os.MkdirAll("/run/netns", 0o755); err != nil {
		t.Fatal(err)
	}
	return nstest.Rerun(t, ownProcEnv, unshare, "--pid", "--fork", "--mount-proc", "--propagation", "private", "--",
		"sh", "-c", `mount -t tmpfs tcpaudit-test /run/netns && exec "$0" "$@"`)
}

// ownProcEnv marks a test binary re-executed by enterOwnProc.
const ownProcEnv = "TCPAUDIT_TEST_OWN_PROC"

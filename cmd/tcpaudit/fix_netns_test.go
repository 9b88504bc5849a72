package main

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestFixNetns: `fix --netns NAME` and `fix --netns PID` read the sysctls
// of a namespace made by the test from inside it and print the fix in the
// ip netns form; running the printed command with the real sysctl(8)
// fixes it, and the next `fix --netns` has nothing to change.
func TestFixNetns(t *testing.T) {
	ip := netnsPrereqs(t)
	ns := nstest.New(t)
	nsRun(t, ip, ns, "sysctl", "-qw", "net.ipv4.tcp_fin_timeout=120")
	sleeper := exec.Command(ip, "netns", "exec", ns, "sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sleeper.Process.Kill(); _ = sleeper.Wait() })
	waitComm(t, sleeper.Process.Pid, "sleep") // ip(8) entered the namespace and ran sleep
	want := "ip netns exec " + ns + " sysctl -w net.ipv4.tcp_fin_timeout=60"
	var cmdLine string
	for _, spec := range []string{ns, strconv.Itoa(sleeper.Process.Pid)} {
		code, out, errOut := runCLI(t, "fix", "--netns", spec)
		if code != exitOK || !strings.Contains(out, want) || !strings.Contains(errOut, "is not the host's") {
			t.Errorf("fix --netns %s: exit %d, want 0 and %q in:\n%s%s", spec, code, want, out, errOut)
		}
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "tcp_fin_timeout=60") && !strings.HasPrefix(l, "#") {
				cmdLine = l
			}
		}
	}
	if cmdLine == "" {
		t.Fatal("no command to run in the fix")
	}
	if out, err := exec.Command("sh", "-c", cmdLine).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmdLine, err, out)
	}
	if _, out, errOut := runCLI(t, "fix", "--netns", ns); strings.Contains(out, "tcp_fin_timeout") || !strings.Contains(errOut, "no finding") {
		t.Errorf("after the fix: want no change, got:\n%s%s", out, errOut)
	}
}

// TestProcRootPIDSysctlsHidden: under --proc-root /proc/PID no sysctl is
// visible; check skips the sysctl rules saying so and pointing to --netns
// (not "not present on this kernel"), and fix exits 2 saying the same.
func TestProcRootPIDSysctlsHidden(t *testing.T) {
	sleeper := exec.Command("sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sleeper.Process.Kill(); _ = sleeper.Wait() })
	root := "/proc/" + strconv.Itoa(sleeper.Process.Pid)
	_, rep := checkJSON(t, "--proc-root", root)
	s := rep.statuses()["fin-timeout"]
	if s.Status != "skipped" || !strings.Contains(s.Reason, "not visible under a process's directory") || !strings.Contains(s.Reason, "--netns PID") {
		t.Errorf("fin-timeout: %+v; want skipped as not visible, pointing to --netns", s)
	}
	code, _, errOut := runCLI(t, "fix", "--proc-root", root)
	if code != exitError || !strings.Contains(errOut, "--netns PID") {
		t.Errorf("fix --proc-root %s: exit %d, want 2 and a pointer to --netns:\n%s", root, code, errOut)
	}
}

package containers

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// newNetns makes a network namespace for the test with ip netns add, or
// skips the test without root, ip(8) or sysctl(8).
func newNetns(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("sysctl"); err != nil {
		t.Skip("needs sysctl(8) from procps")
	}
	return nstest.New(t)
}

// runLines runs each line of text that is not a comment with sh -c.
func runLines(t *testing.T, text string) {
	t.Helper()
	n := 0
	for line := range strings.Lines(text) {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if out, err := exec.Command("sh", "-c", line).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", line, err, out)
		}
		n++
	}
	if n == 0 {
		t.Fatalf("no command in:\n%s", text)
	}
}

// checkValue reads s.Key with sysctl -n run through prefix and compares
// it with s.Value, whitespace aside (procfs separates fields with tabs).
func checkValue(t *testing.T, prefix []string, s Setting) {
	t.Helper()
	args := append(prefix[1:], "sysctl", "-n", s.Key)
	out, err := exec.Command(prefix[0], args...).Output()
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	if got := strings.Join(strings.Fields(string(out)), " "); got != s.Value {
		t.Errorf("%s = %q after the fix, want %q", s.Key, got, s.Value)
	}
}

// netnsChanged reports whether process pid is in a network namespace other
// than the test's.
func netnsChanged(pid int) bool {
	self, _ := os.Readlink("/proc/self/ns/net")
	ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid))
	return err == nil && ns != self
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestSysctlFixIPNetns runs the generated lines in a real namespace and
// reads the values back.
func TestSysctlFixIPNetns(t *testing.T) {
	ns := newNetns(t)
	fx := SysctlFix(Identity{Kind: KindProcess, PID: 1, Command: "x", Name: "x[1]"}, ns, fixSettings)
	if fx.Form != FormIPNetns {
		t.Fatalf("form %q, want ip-netns", fx.Form)
	}
	runLines(t, fx.Text)
	for _, s := range perNamespace {
		checkValue(t, []string{"ip", "netns", "exec", ns}, s)
	}
	checkHost(t, fx)
}

// TestSysctlFixNsenter runs the generated nsenter lines against a process
// in a network namespace of its own and reads the values back.
func TestSysctlFixNsenter(t *testing.T) {
	if _, err := exec.LookPath("nsenter"); err != nil {
		t.Skip("needs nsenter(1) from util-linux")
	}
	newNetns(t) // root, ip and sysctl
	cmd := exec.Command("unshare", "--net", "sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skipf("unshare --net: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	id := Identity{Kind: KindContainer, Runtime: RuntimeNspawn, ContainerName: "m1", PID: cmd.Process.Pid, Name: "m1"}
	var fx Fix
	for range 200 { // until unshare has made the namespace, at most 2 s
		if fx = SysctlFix(id, "", fixSettings); netnsChanged(cmd.Process.Pid) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if fx.Form != FormNsenter || !strings.Contains(fx.Text, "does not persist") {
		t.Fatalf("form %q, want nsenter with a note that it does not persist:\n%s", fx.Form, fx.Text)
	}
	runLines(t, fx.Text)
	for _, s := range perNamespace {
		checkValue(t, []string{"nsenter", "--net=/proc/" + itoa(cmd.Process.Pid) + "/ns/net"}, s)
	}
}

// TestLocate: the test's own /proc shows the host's namespace; a process
// in a namespace of its own, given as --proc-root /proc/PID, is a guest;
// a copy of /proc is not live.
func TestLocate(t *testing.T) {
	if w := Locate("testdata/proc"); w.Live || w.Guest {
		t.Errorf("a fixture tree: %+v", w)
	}
	newNetns(t) // root, ip and sysctl
	self := Locate("/proc")
	if !self.Live || self.HostRef == "" {
		t.Skipf("the host's namespace cannot be read here: %+v", self)
	}
	if self.Guest {
		t.Skipf("the test itself runs outside the host's network namespace: %+v", self)
	}
	cmd := exec.Command("unshare", "--net", "sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skipf("unshare --net: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	pid := cmd.Process.Pid
	for i := 0; i < 200 && !netnsChanged(pid); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	w := Locate("/proc/" + itoa(pid) + "/")
	if !w.Live || !w.Guest || w.PID != pid || w.Inode == w.HostInode || w.NetnsName != "" {
		t.Errorf("Locate(/proc/%d) = %+v, want a guest namespace of process %d", pid, w, pid)
	}
	if !strings.Contains(w.Reason(), "process "+itoa(pid)+" is in network namespace") {
		t.Errorf("reason %q", w.Reason())
	}
}

// TestLocateInNamedNetns runs inside a namespace made with ip netns add:
// the proc root /proc shows a guest, named as ip netns names it.
func TestLocateInNamedNetns(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	w := Locate("/proc")
	if w.HostRef == "" {
		t.Skipf("the host's namespace cannot be read here: %+v", w)
	}
	if !w.Guest || !strings.HasPrefix(w.NetnsName, "tcpaudit-test-") || w.PID != 0 {
		t.Errorf("Locate(/proc) in a named namespace = %+v", w)
	}
}

// TestSysctlFixIPNetnsAnyName: ip netns accepts any file name; a long
// one, one with a space or a quote gets ip netns exec lines, quoted for
// the shell, that set the values in that namespace.
func TestSysctlFixIPNetnsAnyName(t *testing.T) {
	newNetns(t) // root, ip and sysctl
	pid := fmt.Sprint(os.Getpid())
	for _, name := range []string{strings.Repeat("n", 255-len(pid)) + pid, "tcpaudit sp " + pid, "it's-" + pid} {
		if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
			t.Fatalf("ip netns add %q: %v: %s", name, err, out)
		}
		t.Cleanup(func() { exec.Command("ip", "netns", "delete", name).Run() })
		fx := SysctlFix(Identity{Kind: KindProcess, PID: 1, Command: "x", Name: "x[1]"}, name, perNamespace)
		if fx.Form != FormIPNetns || !strings.Contains(fx.Text, "ip netns exec "+shellQuote(name)+" sysctl") {
			t.Fatalf("name %q: form %q, want ip-netns:\n%s", name, fx.Form, fx.Text)
		}
		runLines(t, fx.Text)
		for _, s := range perNamespace {
			checkValue(t, []string{"ip", "netns", "exec", name}, s)
		}
	}
}

// TestSysctlFixNamespaceNamed: a name a terminal cannot show as it is
// gets no command, but the text still names the namespace, escaped.
func TestSysctlFixNamespaceNamed(t *testing.T) {
	fx := SysctlFix(Identity{Kind: KindProcess}, "bad\x1bname", perNamespace[:1])
	if fx.Form != FormSysctl || !strings.Contains(fx.Text, `"bad\x1bname"`) {
		t.Errorf("form %q:\n%s", fx.Form, fx.Text)
	}
	for _, name := range []string{"", ".", "..", "a/b", strings.Repeat("n", 256)} {
		if ipNetnsName(name) {
			t.Errorf("%q accepted as an ip netns name", name)
		}
	}
}

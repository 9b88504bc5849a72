//go:build linux && !tcpaudit_portable

package netns_test

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/netns"
)

// heldNamespace starts `unshare --net sleep` and returns the process: a
// namespace no bind mount holds, only the process.
func heldNamespace(t *testing.T) *exec.Cmd {
	t.Helper()
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("needs unshare(1) from util-linux")
	}
	cmd := exec.Command("unshare", "--net", "--", "sleep", "120")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// unshare execs sleep once the namespace exists: wait for the exec.
	for i := 0; i < 500; i++ {
		if b, _ := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/comm"); string(b) == "sleep\n" {
			return cmd
		}
		exec.Command("sleep", "0.01").Run()
	}
	t.Fatal("unshare did not exec sleep")
	return nil
}

func readSysctl(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
	}
	return strings.Join(strings.Fields(string(b)), " ")
}

// TestLive finds, resolves and enters a namespace made with ip netns add
// (its port range narrowed) and one held only by a process: inside Do the
// calling thread reads the namespace's sysctls and its own ns link, and
// after fifty calls at once the process (its thread-group leader) is still
// in its own namespace. Once the process has exited, Do says ErrGone.
func TestLive(t *testing.T) {
	named := nstest.New(t)
	if out, err := exec.Command("ip", "netns", "exec", named, "sysctl", "-qw", "net.ipv4.ip_local_port_range=40000 40100").CombinedOutput(); err != nil {
		t.Fatalf("sysctl: %v: %s", err, out)
	}
	held := heldNamespace(t)
	pid := strconv.Itoa(held.Process.Pid)
	all, _, err := netns.Discover("/proc")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]netns.Namespace{}
	for _, ns := range all {
		byName[ns.Name] = ns
	}
	n, h := byName[named], byName["sleep["+pid+"]"]
	if n.Kind != netns.KindNamed || n.Path != "/run/netns/"+named || h.Kind != netns.KindProcess || all[0].Kind != netns.KindHost {
		t.Fatalf("Discover: named %+v, held %+v, first %+v", n, h, all[0])
	}
	for spec, want := range map[string]uint64{named: n.Inode, "/run/netns/" + named: n.Inode, pid: h.Inode, "/proc/" + pid + "/ns/net": h.Inode} {
		if got, err := netns.Resolve(spec, "/proc"); err != nil || got.Inode != want {
			t.Errorf("Resolve(%s) = %d, %v; want %d", spec, got.Inode, err, want)
		}
	}
	leader := readLink(t, "/proc/self/ns/net")
	var wg sync.WaitGroup
	for i := range 50 {
		ns, want := n, "40000 40100"
		if i%2 == 1 {
			ns, want = h, "32768 60999" // a fresh namespace has the default
		}
		wg.Go(func() {
			err := netns.Do(ns, func() error {
				if got := readSysctl(t, "/proc/sys/net/ipv4/ip_local_port_range"); got != want {
					t.Errorf("inside %s: port range %q, want %q", ns.Name, got, want)
				}
				if got := readLink(t, "/proc/thread-self/ns/net"); got != "net:["+strconv.FormatUint(ns.Inode, 10)+"]" {
					t.Errorf("inside %s: the thread is in %s", ns.Name, got)
				}
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := readLink(t, "/proc/self/ns/net"); got != leader {
		t.Errorf("after Do, the thread-group leader is in %s, was in %s", got, leader)
	}
	held.Process.Kill()
	held.Wait()
	if err := netns.Do(h, func() error { return nil }); !errors.Is(err, netns.ErrGone) {
		t.Errorf("Do in the namespace of an exited process: %v, want ErrGone", err)
	}
}

func readLink(t *testing.T, path string) string {
	s, err := os.Readlink(path)
	if err != nil {
		t.Error(err)
	}
	return s
}

// TestDeletedNamedSkipped: a namespace made with ip netns add, with no
// process in it, deleted between Discover and Do, is skipped as deleted,
// not as gone with its processes; one held by a process that exited is
// gone.
func TestDeletedNamedSkipped(t *testing.T) {
	nstest.New(t) // root and ip(8), else skipped
	name := "tcpaudit-del-" + strconv.Itoa(os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "delete", name).Run() })
	held := heldNamespace(t)
	all, _, err := netns.Discover("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var named, gone netns.Namespace
	for _, ns := range all {
		switch ns.Name {
		case name:
			named = ns
		case "sleep[" + strconv.Itoa(held.Process.Pid) + "]":
			gone = ns
		}
	}
	if out, err := exec.Command("ip", "netns", "delete", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns delete: %v: %s", err, out)
	}
	held.Process.Kill()
	held.Wait()
	for ns, want := range map[*netns.Namespace]string{&named: netns.SkippedDeleted, &gone: netns.SkippedGone} {
		reason, err := netns.SkipReason(netns.Do(*ns, func() error { return nil }))
		if err != nil || reason != want {
			t.Errorf("%s (%d processes): skipped %q, %v; want %q", ns.Name, ns.Processes, reason, err, want)
		}
	}
	if got := netns.SkippedMany(netns.SkippedDeleted, 2); !strings.Contains(got, "names were removed") {
		t.Errorf("two deleted: %q", got)
	}
}

// addNamed makes the ip netns name, removed at the end of the test.
func addNamed(t *testing.T, name string) {
	t.Helper()
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Skipf("ip netns add %s: %v: %s", name, err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
}

// TestResolveDigitName: an ip netns name of digits only is found by
// name when no process has that PID (4194399 is above PID_MAX_LIMIT), and
// a name that is also a live PID is refused as ambiguous, naming both
// paths, rather than taken for the process.
func TestResolveDigitName(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for ip netns add")
	}
	addNamed(t, "4194399")
	want, err := os.Stat("/run/netns/4194399")
	if err != nil {
		t.Fatal(err)
	}
	ns, err := netns.Resolve("4194399", "/proc")
	if err != nil || ns.Inode != want.Sys().(*syscall.Stat_t).Ino {
		t.Errorf("Resolve(4194399) = %+v, %v; want the named namespace", ns, err)
	}
	self := strconv.Itoa(os.Getpid())
	addNamed(t, self)
	_, err = netns.Resolve(self, "/proc")
	if err == nil || !strings.Contains(err.Error(), "/proc/"+self+"/ns/net") || !strings.Contains(err.Error(), "/run/netns/"+self) {
		t.Errorf("Resolve(%s), both a PID and a name: %v; want both paths offered", self, err)
	}
}

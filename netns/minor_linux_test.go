package netns

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestNotNsfsHint: a directory or a regular file given as a namespace is
// named as what it is; only an empty regular file under /run/netns gets
// the hint about a failed ip netns add.
func TestNotNsfsHint(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{dir: "a directory", file: "a regular file"}
	if os.Geteuid() == 0 {
		if err := os.MkdirAll(DefaultNetnsDir, 0o755); err == nil {
			left := filepath.Join(DefaultNetnsDir, "tcpaudit-test-empty")
			if err := os.WriteFile(left, nil, 0o644); err == nil {
				t.Cleanup(func() { os.Remove(left) })
				cases[left] = "failed ip netns add"
			}
		}
	}
	for path, want := range cases {
		_, err := nsfsInode(path)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", path, err, want)
		}
		if want != "failed ip netns add" && err != nil && strings.Contains(err.Error(), "ip netns add") {
			t.Errorf("%s: the ip netns hint for what is not a name left by it: %v", path, err)
		}
	}
}

// TestDeniedReason: the PIDs whose ns/net could not be read are listed
// (three, then how many more), with "its namespace" for one PID and
// "their namespaces" for more, and "run as root" is said only when not
// root.
func TestDeniedReason(t *testing.T) {
	got := deniedReason("/proc/", []int{10, 20, 30, 40, 50}, false)
	want := "permission denied reading /proc/PID/ns/net of PID 10, 20, 30, and 2 more: their namespaces are not listed (run as root)"
	if got != want {
		t.Errorf("not root:\n got %q\nwant %q", got, want)
	}
	got = deniedReason("/proc", []int{7}, true)
	if strings.Contains(got, "run as root") || strings.Contains(got, "<pid>") || !strings.Contains(got, "PID 7: its namespace is not listed") {
		t.Errorf("as root: %q", got)
	}
}

// TestResolveOtherNamespaceType: an nsfs file of another namespace type
// (this process's mount, user, PID namespaces) is refused as what it is;
// its own network namespace is taken.
func TestResolveOtherNamespaceType(t *testing.T) {
	for kind, want := range map[string]string{"mnt": "a mount namespace", "user": "a user namespace", "pid": "a PID namespace", "uts": "a UTS namespace"} {
		path := "/proc/self/ns/" + kind
		_, err := Resolve(path, "/proc")
		if err == nil || !strings.Contains(err.Error(), want+", not a network namespace") {
			t.Errorf("--netns %s: %v, want %q", path, err, want)
		}
	}
	if _, err := Resolve("/proc/self/ns/net", "/proc"); err != nil {
		t.Errorf("--netns /proc/self/ns/net: %v", err)
	}
}

// TestResolveZombie: the PID of a process that has exited and is not yet
// reaped (its /proc directory stays) is said to be a zombie, not missing.
func TestResolveZombie(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Wait() })
	stat := filepath.Join("/proc", strconv.Itoa(cmd.Process.Pid), "stat")
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		b, err := os.ReadFile(stat)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), ") Z ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not a zombie after 5s: %s", stat, b)
		}
	}
	for _, spec := range []string{strconv.Itoa(cmd.Process.Pid), "/proc/" + strconv.Itoa(cmd.Process.Pid) + "/ns/net"} {
		_, err := Resolve(spec, "/proc")
		if err == nil || !strings.Contains(err.Error(), "has exited (a zombie") {
			t.Errorf("--netns %s (a zombie): %v", spec, err)
		}
	}
}

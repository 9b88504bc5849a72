// Package cgtest makes real cgroup v2 directories for tests, shaped as a
// container runtime or the kubelet makes them, and starts processes of a
// network namespace of their own in them.
package cgtest

import (
	"bufio"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Mount returns where the cgroup v2 hierarchy is mounted (on a hybrid
// host, beside the v1 ones), or skips the test: it needs root, unshare(1)
// and a cgroup2 mount.
func Mount(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to make cgroup directories and move a process into one")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("needs unshare(1) from util-linux to start a process in a network namespace")
	}
	f, err := os.Open("/proc/mounts")
	if err != nil {
		t.Skipf("no /proc/mounts: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) > 2 && fields[2] == "cgroup2" {
			return fields[1]
		}
	}
	t.Skip("no cgroup2 hierarchy in /proc/mounts")
	return ""
}

// Dir makes the directories of path under a directory of the test's own
// under the cgroup2 mount mnt, and removes them when the test ends (after
// the processes in them, whose cleanups run first).
func Dir(t *testing.T, mnt string, path ...string) string {
	t.Helper()
	top := filepath.Join(mnt, fmt.Sprintf("tcpaudit-test-%d-%d", os.Getpid(), time.Now().UnixNano()%1e6))
	dirs := []string{top}
	for _, p := range path {
		dirs = append(dirs, filepath.Join(dirs[len(dirs)-1], p))
	}
	t.Cleanup(func() {
		for _, d := range slices.Backward(dirs) {
			if err := os.Remove(d); err != nil && !os.IsNotExist(err) {
				t.Errorf("rmdir %s: %v", d, err)
			}
		}
	})
	for _, d := range dirs {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Skipf("cannot make a cgroup v2 directory: %v", err)
		}
	}
	return dirs[len(dirs)-1]
}

// Kubepods makes the cgroup directory of a CRI containerd container of the
// burstable pod podUID under the systemd driver's kubepods.slice.
func Kubepods(t *testing.T, mnt, podUID, containerID string) string {
	t.Helper()
	slice := "kubepods-burstable-pod" + strings.ReplaceAll(podUID, "-", "_") + ".slice"
	return Dir(t, mnt, "kubepods.slice", "kubepods-burstable.slice", slice, "cri-containerd-"+containerID+".scope")
}

// StartInNetns starts `unshare --net sleep 30` (killed when the test ends),
// moves it into the cgroup dir, and waits until it is in a network
// namespace other than the test's. It returns its PID.
func StartInNetns(t *testing.T, dir string) int {
	t.Helper()
	cmd := exec.Command("unshare", "--net", "sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatalf("unshare --net sleep: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	pid := cmd.Process.Pid
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
		t.Fatalf("move %d into %s: %v", pid, dir, err)
	}
	self, _ := os.Readlink("/proc/self/ns/net")
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid))
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err == nil && ns != self && string(comm) == "sleep\n" {
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d: network namespace %s (ours %s), command %q: %v", pid, ns, self, comm, err)
		}
	}
}

// ContainerID returns a container ID (64 hexadecimal digits) made from
// seed.
func ContainerID(seed string) string {
	s := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(s[:])
}

// PodUID returns a pod UID (a dashed UUID shape) made from seed.
func PodUID(seed string) string {
	s := md5.Sum([]byte(seed))
	h := hex.EncodeToString(s[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// NewPodUID returns a pod UID of the test's own, unlike any other run's.
func NewPodUID(t *testing.T) string {
	return PodUID(fmt.Sprint(t.Name(), os.Getpid(), time.Now().UnixNano()))
}

package containers

import (
	"bufio"
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

// TestIdentifyLiveKubepods puts a process of a network namespace of its
// own into a real cgroup v2 directory shaped like a Kubernetes pod's
// container (systemd driver, burstable, CRI containerd), writes the
// kubelet's log directory under a host root, and identifies the process
// through the live /proc.
func TestIdentifyLiveKubepods(t *testing.T) {
	mnt := cgroup2Mount(t)
	u := uid(fmt.Sprint("live", os.Getpid(), time.Now().UnixNano()))
	id := cid(u)
	slice := "kubepods-burstable-pod" + strings.ReplaceAll(u, "-", "_") + ".slice"
	dir := liveCgroup(t, mnt, "kubepods.slice", "kubepods-burstable.slice", slice, "cri-containerd-"+id+".scope")
	host := t.TempDir()
	if err := os.MkdirAll(filepath.Join(host, podLogs, "team-a_api-6c9f7d5b4-k2x8p_"+u, "api"), 0o755); err != nil {
		t.Fatal(err)
	}
	pid := startInNetns(t, dir)
	got := Identify("/proc", host, pid)
	want := Identity{Kind: KindPod, Runtime: RuntimeContainerd, ContainerID: id, PodUID: u,
		PodNamespace: "team-a", PodName: "api-6c9f7d5b4-k2x8p", PID: pid, Command: "sleep", Name: "team-a/api-6c9f7d5b4-k2x8p"}
	if got != want {
		t.Errorf("Identify(%d) = %+v\nwant %+v", pid, got, want)
	}
}

// TestIdentifyLiveDocker does the same for a Docker container of the
// systemd cgroup driver, named by its config.v2.json.
func TestIdentifyLiveDocker(t *testing.T) {
	mnt := cgroup2Mount(t)
	id := cid(fmt.Sprint("live-docker", os.Getpid(), time.Now().UnixNano()))
	dir := liveCgroup(t, mnt, "system.slice", "docker-"+id+".scope")
	host := t.TempDir()
	mustWrite(t, filepath.Join(host, dockerConfigs, id, "config.v2.json"),
		`{"ID":"`+id+`","Name":"/live-web","State":{"Running":true},"Config":{"Image":"nginx"}}`)
	pid := startInNetns(t, dir)
	got := Identify("/proc", host, pid)
	want := Identity{Kind: KindContainer, Runtime: RuntimeDocker, ContainerID: id, ContainerName: "live-web",
		PID: pid, Command: "sleep", Name: "live-web"}
	if got != want {
		t.Errorf("Identify(%d) = %+v\nwant %+v", pid, got, want)
	}
}

// cgroup2Mount returns where the cgroup v2 hierarchy is mounted (on a
// hybrid host, beside the v1 ones), or skips the test.
func cgroup2Mount(t *testing.T) string {
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

// liveCgroup makes the directories of path under a directory of the test's
// own under the cgroup2 mount, and removes them when the test ends (after
// the processes in them, whose cleanups run first).
func liveCgroup(t *testing.T, mnt string, path ...string) string {
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

// startInNetns starts `unshare --net sleep 30` (killed when the test ends),
// moves it into the cgroup dir, and waits until it is in a network
// namespace other than the test's.
func startInNetns(t *testing.T, dir string) int {
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

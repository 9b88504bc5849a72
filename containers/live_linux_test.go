package containers

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/cgtest"
)

// TestIdentifyLiveKubepods puts a process of a network namespace of its
// own into a real cgroup v2 directory shaped like a Kubernetes pod's
// container (systemd driver, burstable, CRI containerd), writes the
// kubelet's log directory under a host root, and identifies the process
// through the live /proc.
func TestIdentifyLiveKubepods(t *testing.T) {
	mnt := cgtest.Mount(t)
	u := uid(fmt.Sprint("live", os.Getpid(), time.Now().UnixNano()))
	id := cid(u)
	dir := cgtest.Kubepods(t, mnt, u, id)
	host := t.TempDir()
	if err := os.MkdirAll(filepath.Join(host, podLogs, "team-a_api-6c9f7d5b4-k2x8p_"+u, "api"), 0o755); err != nil {
		t.Fatal(err)
	}
	pid := cgtest.StartInNetns(t, dir)
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
	mnt := cgtest.Mount(t)
	id := cid(fmt.Sprint("live-docker", os.Getpid(), time.Now().UnixNano()))
	dir := cgtest.Dir(t, mnt, "system.slice", "docker-"+id+".scope")
	host := t.TempDir()
	mustWrite(t, filepath.Join(host, dockerConfigs, id, "config.v2.json"),
		`{"ID":"`+id+`","Name":"/live-web","State":{"Running":true},"Config":{"Image":"nginx"}}`)
	pid := cgtest.StartInNetns(t, dir)
	got := Identify("/proc", host, pid)
	want := Identity{Kind: KindContainer, Runtime: RuntimeDocker, ContainerID: id, ContainerName: "live-web",
		PID: pid, Command: "sleep", Name: "live-web"}
	if got != want {
		t.Errorf("Identify(%d) = %+v\nwant %+v", pid, got, want)
	}
}

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/cgtest"
)

// ownedNamespace is a namespace of the JSON report with its owner.
type ownedNamespace struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	Name        string `json:"name"`
	Runtime     string `json:"runtime"`
	ContainerID string `json:"container_id"`
	PodUID      string `json:"pod_uid"`
	PIDs        []int  `json:"pids"`
}

// TestCheckNamespacesNamedByPod moves a process of a network namespace of
// its own into a real cgroup v2 directory shaped like a Kubernetes pod's
// CRI containerd container: check --all-netns names its namespace after
// the pod, with the runtime, container ID and pod UID, in the JSON report.
func TestCheckNamespacesNamedByPod(t *testing.T) {
	mnt := cgtest.Mount(t)
	podUID := cgtest.NewPodUID(t)
	containerID := cgtest.ContainerID(podUID)
	pid := cgtest.StartInNetns(t, cgtest.Kubepods(t, mnt, podUID, containerID))

	code, out, stderr := runCLI(t, "check", "--all-netns", "--format", "json", "--fail-on", "never")
	if code != 0 {
		t.Fatalf("check --all-netns: exit %d\n%s", code, stderr)
	}
	var rep struct {
		Namespaces []ownedNamespace `json:"namespaces"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("check --all-netns: not JSON: %v", err)
	}
	i := slices.IndexFunc(rep.Namespaces, func(n ownedNamespace) bool {
		return slices.Contains(n.PIDs, pid)
	})
	if i < 0 {
		t.Fatalf("no namespace holds pid %d: %+v", pid, rep.Namespaces)
	}
	ns := rep.Namespaces[i]
	if ns.Kind != "pod" || ns.Runtime != "containerd" || ns.ContainerID != containerID || ns.PodUID != podUID {
		t.Errorf("namespace of pid %d: kind %q runtime %q container_id %q pod_uid %q (name %q)\nwant pod containerd %s %s",
			pid, ns.Kind, ns.Runtime, ns.ContainerID, ns.PodUID, ns.Name, containerID, podUID)
	}
	if want := "pod " + podUID; ns.Name != want {
		t.Errorf("namespace of pid %d is named %q, want %q (no kubelet log directory for it)", pid, ns.Name, want)
	}
}

// TestFixNetnsPodHeader: fix --netns PID for a process of a namespace of
// its own in a cgroup shaped like a Kubernetes pod's, with a narrow port
// range, prints the pod's securityContext snippet headed "Pod UID" (the
// node shows no name for it), the word pod said once.
func TestFixNetnsPodHeader(t *testing.T) {
	mnt := cgtest.Mount(t)
	podUID := cgtest.NewPodUID(t)
	pid := cgtest.StartInNetns(t, cgtest.Kubepods(t, mnt, podUID, cgtest.ContainerID(podUID)))
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		t.Skip("needs nsenter(1) to set a sysctl in the pod's namespace")
	}
	if out, err := exec.Command(nsenter, "--net=/proc/"+strconv.Itoa(pid)+"/ns/net", "sysctl", "-w", "net.ipv4.ip_local_port_range=40000 40099").CombinedOutput(); err != nil {
		t.Fatalf("sysctl -w in the pod's namespace: %v: %s", err, out)
	}
	code, out, stderr := runCLI(t, "fix", "--netns", strconv.Itoa(pid), "--root", emptyRoot(t))
	if code != exitOK || !strings.Contains(out, "# Pod "+podUID+": set in the pod's spec") || strings.Contains(out, "Pod pod") {
		t.Errorf("fix --netns %d: exit %d\nstdout:\n%s\nstderr:\n%s", pid, code, out, stderr)
	}
}

// TestFixNetnsOwnerNotLowestPID: a namespace made by a process of the
// test's cgroup (the lowest PID in it) that a process of a pod-shaped
// cgroup joins later, as a container's process comes after a helper that
// made its namespace: check --all-netns names it after the pod, and
// fix --netns with either PID prints the pod's securityContext snippet,
// never nsenter into the first process.
func TestFixNetnsOwnerNotLowestPID(t *testing.T) {
	mnt := cgtest.Mount(t)
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		t.Skip("needs nsenter(1) to join a namespace")
	}
	first := exec.Command("unshare", "--net", "sleep", "30")
	if err := first.Start(); err != nil {
		t.Fatalf("unshare --net sleep: %v", err)
	}
	t.Cleanup(func() { first.Process.Kill(); first.Wait() })
	netPath := "--net=/proc/" + strconv.Itoa(first.Process.Pid) + "/ns/net"
	podUID := cgtest.NewPodUID(t)
	dir := cgtest.Kubepods(t, mnt, podUID, cgtest.ContainerID(podUID))
	// Until unshare has made the namespace, its ns/net is the test's own:
	// a sysctl there would change the host.
	self, _ := os.Readlink("/proc/self/ns/net")
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if ns, err := os.Readlink("/proc/" + strconv.Itoa(first.Process.Pid) + "/ns/net"); err == nil && ns != self {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("unshare made no network namespace within 5s")
		}
	}
	if out, err := exec.Command(nsenter, netPath, "sysctl", "-w", "net.ipv4.ip_local_port_range=40000 40099").CombinedOutput(); err != nil {
		t.Fatalf("sysctl -w in the namespace: %v: %s", err, out)
	}
	joined := exec.Command(nsenter, netPath, "sleep", "30")
	if err := joined.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { joined.Process.Kill(); joined.Wait() })
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(joined.Process.Pid)), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // nsenter execs sleep
	for _, pid := range []int{first.Process.Pid, joined.Process.Pid} {
		code, out, stderr := runCLI(t, "fix", "--netns", strconv.Itoa(pid), "--root", emptyRoot(t))
		if code != exitOK || !strings.Contains(out, "# Pod "+podUID+": set in the pod's spec") || strings.Contains(out, "nsenter") {
			t.Errorf("fix --netns %d (processes %d, then %d in the pod's cgroup): exit %d\nstdout:\n%s\nstderr:\n%s",
				pid, first.Process.Pid, joined.Process.Pid, code, out, stderr)
		}
	}
}

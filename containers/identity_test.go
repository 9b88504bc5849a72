package containers

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/internal/cgtest"
)

// The fixture IDs are derived from a name, as the fixtures were written:
// a container ID is the SHA-256 of its case, a pod UID the MD5 in UUID form.
func cid(name string) string { return cgtest.ContainerID(name) }

func uid(name string) string { return cgtest.PodUID(name) }

// TestIdentifyFixtures identifies every process of testdata/proc, whose
// cgroup files have the shapes each runtime writes in cgroup v1, v2 and
// hybrid, and names them from testdata/host.
func TestIdentifyFixtures(t *testing.T) {
	pod := func(runtime, idCase, uidCase, ns, name string) Identity {
		return Identity{Kind: KindPod, Runtime: runtime, ContainerID: cid(idCase), PodUID: uid(uidCase), PodNamespace: ns, PodName: name}
	}
	ctr := func(runtime, idCase, name string) Identity {
		return Identity{Kind: KindContainer, Runtime: runtime, ContainerID: cid(idCase), ContainerName: name}
	}
	machine := func(runtime, name string) Identity {
		return Identity{Kind: KindContainer, Runtime: runtime, ContainerName: name}
	}
	monitor := func(runtime, idCase, name string) Identity {
		return Identity{Kind: KindProcess, Runtime: runtime, ContainerID: cid(idCase), ContainerName: name, Monitor: true}
	}
	tests := map[int]struct {
		want Identity
		name string // Name, for people
	}{
		100: {ctr(RuntimeDocker, "docker-v1", "web"), "web"},
		101: {ctr(RuntimeDocker, "docker-v2", ""), "docker " + cid("docker-v2")[:12]}, // config.v2.json behind a symlink out of the host root
		102: {ctr(RuntimeDocker, "docker-sd", "api-1"), "api-1"},
		103: {ctr(RuntimeDocker, "docker-hy", ""), "docker " + cid("docker-hy")[:12]}, // a name with control characters is refused
		110: {ctr(RuntimeContainerd, "ctr-v1", ""), "containerd " + cid("ctr-v1")[:12]},
		111: {ctr(RuntimeContainerd, "ctr-v2", ""), "containerd " + cid("ctr-v2")[:12]},
		112: {ctr(RuntimeContainerd, "nerdctl", ""), "containerd " + cid("nerdctl")[:12]},
		120: {pod(RuntimeContainerd, "k8s-cd-sd", "k8s-cd-sd", "default", "web-7d4b9c6f8-x2xkq"), "default/web-7d4b9c6f8-x2xkq"},
		121: {pod(RuntimeContainerd, "k8s-cd-v1g", "k8s-cd-v1g", "kube-system", "coredns-5d78c9869d-8vnjm"), "kube-system/coredns-5d78c9869d-8vnjm"},
		122: {pod(RuntimeContainerd, "k8s-cd-fs", "k8s-cd-fs", "monitoring", "node-exporter-m4x7p"), "monitoring/node-exporter-m4x7p"},
		123: {pod("", "k8s-fs-g", "k8s-fs-g", "", ""), "pod " + uid("k8s-fs-g")}, // only a decoy log directory
		130: {pod(RuntimeCRIO, "crio", "crio", "batch", "etl.nightly-28374650-q9fzt"), "batch/etl.nightly-28374650-q9fzt"},
		131: {Identity{Kind: KindProcess, Runtime: RuntimeCRIO, ContainerID: cid("crio-conmon"), PodUID: uid("crio"), PodNamespace: "batch", PodName: "etl.nightly-28374650-q9fzt", Monitor: true}, "conmon[131]"},
		132: {pod(RuntimeCRIO, "crio-fs", "crio-fs", "", ""), "pod " + uid("crio-fs")},
		133: {pod(RuntimeCRIO, "crio-hy", "crio-hy", "", ""), "pod " + uid("crio-hy")},
		140: {ctr(RuntimePodman, "podman", "db"), "db"},
		141: {ctr(RuntimePodman, "podman-rootless", ""), "podman " + cid("podman-rootless")[:12]},
		142: {monitor(RuntimePodman, "podman-conmon", ""), "conmon[142]"},
		143: {ctr(RuntimePodman, "podman-fs", "scratch"), "scratch"},
		144: {ctr(RuntimePodman, "podman-hy", ""), "podman " + cid("podman-hy")[:12]},
		150: {machine(RuntimeNspawn, "my-container"), "my-container"},
		151: {machine(RuntimeNspawn, "web-1"), "web-1"},
		160: {machine(RuntimeLXC, "web01"), "web01"},
		161: {machine(RuntimeLXC, "web01"), "web01"},
		162: {machine(RuntimeLXC, "prod_db1"), "prod_db1"},
		163: {Identity{Kind: KindProcess, Runtime: RuntimeLXC, ContainerName: "web01", Monitor: true}, "lxc-start[163]"},
		164: {machine(RuntimeLXC, "web02"), "web02"},
		170: {pod(RuntimeK3s, "k3s", "k3s", "kube-system", "traefik-7cd4fcff68-mhj2z"), "kube-system/traefik-7cd4fcff68-mhj2z"},
		171: {pod(RuntimeContainerd, "kind", "kind", "kube-system", "kube-proxy-hv9qf"), "kube-system/kube-proxy-hv9qf"},
		172: {pod(RuntimeDocker, "dockershim", "dockershim", "default", "legacy-0"), "default/legacy-0"},
		173: {pod(RuntimeK3s, "k3s-sd", "k3s-sd", "kube-system", "coredns-6799fbcd5-t7kdv"), "kube-system/coredns-6799fbcd5-t7kdv"},
		180: {Identity{Kind: KindProcess}, "bash[180]"},
		181: {Identity{Kind: KindProcess}, "process_api[181]"},
		182: {Identity{Kind: KindProcess}, `"ev\x1b[31mil\a"[182]`},
		183: {ctr(RuntimeDocker, "deleted", ""), "docker " + cid("deleted")[:12]},
		184: {ctr(RuntimeDocker, "nsrel", ""), "docker " + cid("nsrel")[:12]},
	}
	entries, err := os.ReadDir("testdata/proc")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(tests) {
		t.Errorf("testdata/proc has %d processes, the table %d", len(entries), len(tests))
	}
	for pid, tc := range tests {
		t.Run(strconv.Itoa(pid), func(t *testing.T) {
			got := Identify("testdata/proc", "testdata/host", pid)
			if got.Name != tc.name {
				t.Errorf("Name = %q, want %q", got.Name, tc.name)
			}
			if got.PID != pid || got.Command == "" {
				t.Errorf("PID %d, Command %q", got.PID, got.Command)
			}
			got.Name, got.PID, got.Command = "", 0, ""
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("Identify (-want +got):\n%s", d)
			}
		})
	}
}

// TestIdentifyWithoutHostRoot: with no host root (a snapshot of /proc
// alone) the cgroup path still says the runtime, the ID and the pod UID;
// names fall back.
func TestIdentifyWithoutHostRoot(t *testing.T) {
	got := Identify("testdata/proc", "", 120)
	want := Identity{Kind: KindPod, Runtime: RuntimeContainerd, ContainerID: cid("k8s-cd-sd"), PodUID: uid("k8s-cd-sd"),
		PID: 120, Command: "envoy", Name: "pod " + uid("k8s-cd-sd")}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Identify (-want +got):\n%s", d)
	}
	if got := Identify("testdata/proc", "", 122); got.Runtime != "" || got.Kind != KindPod {
		t.Errorf("cgroupfs kubepods without host root: runtime %q kind %q, want no runtime, a pod", got.Runtime, got.Kind)
	}
}

// TestIdentifyMissing: a process that exited (no files) is a process
// named "?[PID]"; a missing host root changes nothing.
func TestIdentifyMissing(t *testing.T) {
	got := Identify("testdata/proc", "testdata/no-such-host", 99999)
	if got.Kind != KindProcess || got.Name != "?[99999]" {
		t.Errorf("got %+v", got)
	}
}

// TestIdentifyHostileFiles: files that are too large, FIFOs or not JSON
// leave the identity at what the cgroup path says, and never block.
func TestIdentifyHostileFiles(t *testing.T) {
	proc, host := t.TempDir(), t.TempDir()
	ids := []string{cid("big"), cid("fifo"), cid("json")}
	for i, id := range ids {
		pid := strconv.Itoa(10 + i)
		mustWrite(t, filepath.Join(proc, pid, "cgroup"), "0::/system.slice/docker-"+id+".scope\n")
		mustWrite(t, filepath.Join(proc, pid, "comm"), "x\n")
		if err := os.MkdirAll(filepath.Join(host, dockerConfigs, id), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	big := `{"Name":"/big","Pad":"` + strings.Repeat("x", maxConfig) + `"}`
	mustWrite(t, filepath.Join(host, dockerConfigs, ids[0], "config.v2.json"), big)
	if err := mkfifo(filepath.Join(host, dockerConfigs, ids[1], "config.v2.json")); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	mustWrite(t, filepath.Join(host, dockerConfigs, ids[2], "config.v2.json"), `{"Name": "/trunc`)
	for i, id := range ids {
		got := Identify(proc, host, 10+i)
		if got.Kind != KindContainer || got.ContainerID != id || got.ContainerName != "" {
			t.Errorf("case %d: %+v, want the container from the cgroup path with no name", i, got)
		}
	}
	// A cgroup file over 64 KiB is not parsed.
	mustWrite(t, filepath.Join(proc, "20", "cgroup"), strings.Repeat("1:cpu:/\n", maxCgroup/8)+"0::/docker/"+ids[0]+"\n")
	if got := Identify(proc, host, 20); got.Kind != KindProcess {
		t.Errorf("oversized cgroup file: %+v, want a process", got)
	}
}

func mustWrite(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func ExampleIdentify() {
	id := Identify("testdata/proc", "testdata/host", 120)
	fmt.Println(id.Kind, id.Runtime, id.Name)
	// Output: pod containerd default/web-7d4b9c6f8-x2xkq
}

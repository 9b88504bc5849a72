package containers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseCgroup covers what the fixture tree does not: how lines are
// chosen and which paths must not be taken for a container.
func TestParseCgroup(t *testing.T) {
	id := cid("x")
	u := uid("x")
	u_ := strings.ReplaceAll(u, "-", "_")
	tests := []struct {
		name, data string
		want       Identity
	}{
		{"empty", "", Identity{Kind: KindProcess}},
		{"root v2", "0::/\n", Identity{Kind: KindProcess}},
		{"no newline at end", "0::/docker/" + id, Identity{Kind: KindContainer, Runtime: RuntimeDocker, ContainerID: id}},
		{"pod beats container of another line", "5:memory:/docker/" + cid("y") + "\n0::/kubepods/pod" + u + "/" + id + "\n",
			Identity{Kind: KindPod, ContainerID: id, PodUID: u}},
		{"first of equals wins", "0::/docker/" + id + "\n1:name=systemd:/docker/" + cid("y") + "\n",
			Identity{Kind: KindContainer, Runtime: RuntimeDocker, ContainerID: id}},
		{"pod without container", "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + u_ + ".slice\n",
			Identity{Kind: KindPod, PodUID: u}},
		{"static pod UID", "0::/kubepods.slice/kubepods-pod" + strings.Repeat("ab", 16) + ".slice/cri-containerd-" + id + ".scope\n",
			Identity{Kind: KindPod, Runtime: RuntimeContainerd, ContainerID: id, PodUID: strings.Repeat("ab", 16)}},
		{"pod resets the outer container", "0::/docker/" + cid("outer") + "/kubepods/burstable/pod" + u + "\n",
			Identity{Kind: KindPod, PodUID: u}},
		{"innermost container", "0::/docker/" + cid("outer") + "/docker/" + id + "\n",
			Identity{Kind: KindContainer, Runtime: RuntimeDocker, ContainerID: id}},
		{"pod dir outside kubepods", "0::/pod" + u + "/" + id + "\n", Identity{Kind: KindProcess}},
		{"default not at the top", "0::/system.slice/default/" + id + "\n", Identity{Kind: KindProcess}},
		{"upper-case id", "0::/docker/" + strings.ToUpper(id) + "\n", Identity{Kind: KindProcess}},
		{"short id", "0::/system.slice/docker-" + id[:12] + ".scope\n", Identity{Kind: KindProcess}},
		{"docker service is not a container", "0::/system.slice/docker.service\n", Identity{Kind: KindProcess}},
		{"bad uid", "0::/kubepods/burstable/pod" + u[:35] + "g/" + id + "\n", Identity{Kind: KindProcess}},
		{"machinectl start payload", `0::/machine.slice/systemd-nspawn@web\x2d1.service/payload` + "\n",
			Identity{Kind: KindContainer, Runtime: RuntimeNspawn, ContainerName: "web-1"}},
		{"machinectl start supervisor", "0::/machine.slice/systemd-nspawn@web.service/supervisor\n",
			Identity{Kind: KindProcess, Runtime: RuntimeNspawn, ContainerName: "web", Monitor: true}},
		{"nspawn service template", "0::/system.slice/systemd-nspawn@.service\n", Identity{Kind: KindProcess}},
		{"machine with a slash escaped", `0::/machine.slice/machine-a\x2fb.scope` + "\n", Identity{Kind: KindProcess}},
		{"machine with a bad escape", `0::/machine.slice/machine-a\x2.scope` + "\n", Identity{Kind: KindProcess}},
		{"hierarchy id not a number", "x::/docker/" + id + "\n", Identity{Kind: KindProcess}},
		{"relative path", "0::docker/" + id + "\n", Identity{Kind: KindProcess}},
		{"relative, cgroupfs pod", "0::/../../../besteffort/pod" + u + "/" + id + "\n", Identity{Kind: KindPod, ContainerID: id, PodUID: u}},
		{"relative, sibling of a docker container", "0::/../" + id + "\n", Identity{Kind: KindContainer, ContainerID: id}},
		{"id below a pod's child", "0::/kubepods/pod" + u + "/x/" + id + "\n", Identity{Kind: KindPod, PodUID: u}},
		{"relative, id below the top", "0::/../x/" + id + "\n", Identity{Kind: KindProcess}},
		{"bare id at the top of an absolute path", "0::/" + id + "\n", Identity{Kind: KindProcess}},
		{"carriage return", "0::/docker/" + id + "\r\n", Identity{Kind: KindProcess}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, ParseCgroup([]byte(tc.data))); d != "" {
				t.Errorf("ParseCgroup(%q) (-want +got):\n%s", tc.data, d)
			}
		})
	}
}

// FuzzParseCgroup: no input panics, and whatever is found is valid: IDs
// are 64 hexadecimal digits, UIDs are UUIDs, names hold no control
// character, and the kind agrees with the fields.
func FuzzParseCgroup(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/proc/*/cgroup")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		id := ParseCgroup(data)
		if id.ContainerID != "" && !validID(id.ContainerID) {
			t.Errorf("container ID %q", id.ContainerID)
		}
		if id.PodUID != "" && !validUID(id.PodUID) {
			t.Errorf("pod UID %q", id.PodUID)
		}
		if id.ContainerName != "" && !validName(id.ContainerName) {
			t.Errorf("name %q", id.ContainerName)
		}
		want := KindProcess
		switch {
		case id.Monitor:
		case id.PodUID != "":
			want = KindPod
		case id.ContainerID != "" || id.ContainerName != "":
			want = KindContainer
		}
		if id.Kind != want {
			t.Errorf("kind %q for %+v", id.Kind, id)
		}
	})
}

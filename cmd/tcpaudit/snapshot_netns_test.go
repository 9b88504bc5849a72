package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/internal/cgtest"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestSnapshotNamespacesRoundTrip takes a snapshot --all-netns while the
// test holds an ip netns namespace with a narrowed port range and
// sockgen's sockets, one held only by a sockgen process, and one of a
// process in a kubepods-shaped cgroup: check --all-netns on the tarball and
// on the extracted directory report the test's namespaces with the same
// IDs, kinds, names, owners, socket states and findings (by rule) as the
// live check. It runs in a PID and mount namespace of its own
// (enterOwnProc), so that every run looks only at what it made, however
// many namespaces, processes and sockets the machine holds besides.
func TestSnapshotNamespacesRoundTrip(t *testing.T) {
	netnsPrereqs(t)
	if !enterOwnProc(t) {
		return
	}
	sockgen := buildSockgen(t, t.TempDir())
	named := nstest.New(t)
	nsRun(t, "ip", named, "sysctl", "-qw", "net.ipv4.ip_local_port_range=40000 40100")
	pids := []int{
		sockgenIn(t, sockgen, "ip", "netns", "exec", named),
		sockgenIn(t, sockgen, "unshare", "--net", "--", "sh", "-c", `ip link set lo up && exec "$0" "$@"`),
	}
	mnt := cgtest.Mount(t)
	podUID := cgtest.NewPodUID(t)
	pids = append(pids, cgtest.StartInNetns(t, cgtest.Kubepods(t, mnt, podUID, cgtest.ContainerID(podUID))))

	_, live := checkJSON(t, "--all-netns", "--fail-on", "never")
	if len(live.Namespaces) != 1+len(pids) {
		t.Errorf("live check: %d namespaces, want the host's and the test's %d alone: %+v", len(live.Namespaces), len(pids), live.Namespaces)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "snap.tar.gz")
	if code, _, stderr := runCLI(t, "snapshot", "--all-netns", file); code != exitOK {
		t.Fatalf("snapshot --all-netns: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "snapshot", "--all-netns", filepath.Join(dir, "tree")); code != exitOK {
		t.Fatalf("snapshot --all-netns DIR: exit %d\n%s", code, stderr)
	}
	want := testNamespaces(t, live, pids)
	if !slices.Contains(want[pids[0]].findings, "ephemeral-port-range") || want[pids[2]].PodUID != podUID {
		t.Fatalf("live check: %+v; want ephemeral-port-range in %s and the pod named", want, named)
	}
	for _, offline := range [][]string{{"--snapshot", file}, {"--proc-root", filepath.Join(dir, "tree")}} {
		_, off := checkJSON(t, append([]string{"--all-netns", "--fail-on", "never", "--sysctl-root", "/"}, offline...)...)
		got := testNamespaces(t, off, pids)
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(capturedNamespace{})); diff != "" {
			t.Errorf("check --all-netns %v differs from the live check (-live +offline):\n%s", offline, diff)
		}
	}

	plain := filepath.Join(dir, "plain.tar.gz")
	if code, _, stderr := runCLI(t, "snapshot", plain); code != exitOK {
		t.Fatalf("snapshot: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "check", "--all-netns", "--snapshot", plain); code != exitError || !strings.Contains(stderr, "snapshot --all-netns") {
		t.Errorf("check --all-netns on a snapshot of the host alone: exit %d, stderr %q; want %d saying to take it with snapshot --all-netns", code, stderr, exitError)
	}
}

// capturedNamespace is what the round trip compares of a namespace.
type capturedNamespace struct {
	ownedNamespace
	States   map[string]int
	findings []string
}

// testNamespaces returns the namespaces of r that hold the pids, by pid,
// with their socket states and the rules found in them.
func testNamespaces(t *testing.T, r jsonReport, pids []int) map[int]capturedNamespace {
	t.Helper()
	out := map[int]capturedNamespace{}
	for _, pid := range pids {
		i := slices.IndexFunc(r.Namespaces, func(n jsonNamespace) bool { return slices.Contains(n.PIDs, pid) })
		if i < 0 {
			t.Fatalf("no namespace holds pid %d: %+v", pid, r.Namespaces)
		}
		n := r.Namespaces[i]
		c := capturedNamespace{ownedNamespace: ownedNamespace{ID: n.ID, Kind: n.Kind, Name: n.Name, PIDs: n.PIDs,
			Runtime: n.Runtime, ContainerID: n.ContainerID, PodUID: n.PodUID}}
		if n.Sockets != nil {
			c.States = nonZero(n.Sockets.States)
		}
		for _, f := range r.Findings {
			if f.Namespace == n.ID {
				c.findings = append(c.findings, f.Rule)
			}
		}
		slices.Sort(c.findings)
		out[pid] = c
	}
	return out
}

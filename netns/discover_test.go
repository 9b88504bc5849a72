package netns

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// fakeProc writes a proc tree whose processes are in the namespaces
// given (pid → inode; 0 writes a link that is not a namespace's), each
// with its command "cmdPID".
func fakeProc(t *testing.T, procs map[int]uint64) string {
	t.Helper()
	root := t.TempDir()
	for pid, ino := range procs {
		dir := filepath.Join(root, strconv.Itoa(pid))
		if err := os.MkdirAll(filepath.Join(dir, "ns"), 0o755); err != nil {
			t.Fatal(err)
		}
		link := "net:[" + strconv.FormatUint(ino, 10) + "]"
		if ino == 0 {
			link = "mnt:[1]"
		}
		if err := os.Symlink(link, filepath.Join(dir, "ns", "net")); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "comm"), []byte("cmd"+strconv.Itoa(pid)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "sys"), 0o755); err != nil { // not a process
		t.Fatal(err)
	}
	return root
}

// TestDiscoverFixture finds the host's namespace from PID 1, deduplicates
// the others by inode, keeps their lowest MaxPIDs PIDs, names them after
// their first process, sorts them by name, and reports a link that is not
// a network namespace's as not seen.
func TestDiscoverFixture(t *testing.T) {
	root := fakeProc(t, map[int]uint64{
		1: 100, 2: 100, 7: 100,
		40: 300, 41: 300, 42: 300, 43: 300, 44: 300, 45: 300,
		30: 200, 99: 0,
	})
	got, skipped, err := Discover(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []Namespace{
		{ID: "host", Inode: 100, PIDs: []int{1, 2, 7}, Processes: 3, Identity: Identity{Kind: KindHost, Name: "host"}},
		{ID: "net:[200]", Inode: 200, PIDs: []int{30}, Processes: 1, Identity: Identity{Kind: KindProcess, Name: "cmd30[30]"}},
		{ID: "net:[300]", Inode: 300, PIDs: []int{40, 41, 42, 43}, Processes: 6, Identity: Identity{Kind: KindProcess, Name: "cmd40[40]"}},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Namespace{})); diff != "" {
		t.Errorf("Discover (-want +got):\n%s", diff)
	}
	if len(skipped) != 1 || skipped[0].What != filepath.Join(root, "99", "ns", "net") {
		t.Errorf("skipped %v, want the link of pid 99", skipped)
	}
}

// TestDiscoverNamer lets the Namer name the namespaces it knows; the
// others keep the name of their first process.
func TestDiscoverNamer(t *testing.T) {
	root := fakeProc(t, map[int]uint64{1: 100, 30: 200, 31: 200, 50: 300})
	namer := func(procRoot string, pid int) Identity {
		if procRoot != root {
			t.Errorf("Namer called with proc root %s, want %s", procRoot, root)
		}
		if pid == 31 { // the second process of the namespace: 30 is the pause process
			return Identity{Kind: KindPod, Name: "web", Runtime: "containerd", PodNamespace: "default", PodName: "web", PodUID: "u"}
		}
		return Identity{}
	}
	got, _, err := Finder{Namer: namer}.Discover(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []Identity
	for _, ns := range got {
		names = append(names, ns.Identity)
	}
	want := []Identity{{Kind: KindHost, Name: "host"}, {Kind: KindProcess, Name: "cmd50[50]"},
		{Kind: KindPod, Name: "web", Runtime: "containerd", PodNamespace: "default", PodName: "web", PodUID: "u"}}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("identities (-want +got):\n%s", diff)
	}
}

// TestDiscoverErrors: a proc tree without PID 1 or self has no host
// namespace; a hostile comm does not end up raw in a name.
func TestDiscoverErrors(t *testing.T) {
	if _, _, err := Discover(fakeProc(t, map[int]uint64{5: 100})); err == nil {
		t.Error("Discover without PID 1 or self: no error")
	}
	root := fakeProc(t, map[int]uint64{1: 100, 8: 200})
	if err := os.WriteFile(filepath.Join(root, "8", "comm"), make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	got, _, err := Discover(root)
	if err != nil || len(got) != 2 || got[1].Name != "?[8]" {
		t.Errorf("a comm of 1000 bytes: %v, %v; want the name ?[8]", got, err)
	}
}

// TestResolveFixture resolves a PID of a copied proc tree: its
// namespace, the host's for a process in it; a PID that is absent is an
// error naming it.
func TestResolveFixture(t *testing.T) {
	root := fakeProc(t, map[int]uint64{1: 100, 2: 100, 30: 200})
	for spec, want := range map[string]string{"30": "net:[200]", "2": "host"} {
		ns, err := Resolve(spec, root)
		if err != nil || ns.ID != want {
			t.Errorf("Resolve(%s) = %v, %v; want %s", spec, ns.ID, err, want)
		}
	}
	for _, spec := range []string{"31", "0", "", ".."} {
		if _, err := Resolve(spec, root); err == nil {
			t.Errorf("Resolve(%q): no error", spec)
		}
	}
}

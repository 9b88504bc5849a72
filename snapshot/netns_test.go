package snapshot

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReadIndexHostile: an index that is not JSON, repeats an ID, gives a
// directory of another shape (a path out of the snapshot), names a
// missing directory or two hosts, gives a skipped namespace a directory
// or skips the host's is refused with the file named; a good one is read.
func TestReadIndexHostile(t *testing.T) {
	for name, tc := range map[string]struct{ index, want string }{
		"not json":    {`[{"id":`, "namespaces.json"},
		"repeated id": {`[{"id":"host","kind":"host"},{"id":"host","kind":"host"}]`, "repeated"},
		"escape":      {`[{"id":"net:[1]","kind":"named","dir":"netns/../../etc"}]`, "netns/net-INODE"},
		"missing":     {`[{"id":"net:[2]","kind":"named","dir":"netns/net-2"}]`, "missing"},
		"host dir":    {`[{"id":"host","kind":"host","dir":"netns/net-1"}]`, "only the host"},
		"two hosts":   {`[{"id":"host","kind":"host"},{"id":"h2","kind":"host"}]`, "2 host namespaces"},
		"skipped dir": {`[{"id":"net:[1]","kind":"named","dir":"netns/net-1","skipped":"gone"}]`, "skipped has no directory"},
		"host gone":   {`[{"id":"host","kind":"host","skipped":"gone"}]`, "never skipped"},
		"good":        {`[{"id":"host","kind":"host","name":"host"},{"id":"net:[1]","inode":1,"kind":"named","name":"a","dir":"netns/net-1","pids":[7]}]`, ""},
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			if err := os.MkdirAll(filepath.Join(root, "netns", "net-1"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(IndexFile)), []byte(tc.index), 0o644); err != nil {
				t.Fatal(err)
			}
			nss, err := ReadIndex(root)
			if tc.want == "" {
				if err != nil || len(nss) != 2 || nss[1].Namespace().Name != "a" || nss[1].PIDs[0] != 7 {
					t.Fatalf("ReadIndex = %+v, %v", nss, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "namespaces.json") {
				t.Errorf("ReadIndex: %v; want an error naming namespaces.json saying %q", err, tc.want)
			}
		})
	}
}

// TestReadCapturedSkipped: a namespace the snapshot could not capture is
// read back with its reason and no directory; the others with theirs.
func TestReadCapturedSkipped(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "netns", "net-1"), 0o755); err != nil {
		t.Fatal(err)
	}
	index := `[{"id":"host","kind":"host","name":"host"},` +
		`{"id":"net:[1]","inode":1,"kind":"named","name":"a","dir":"netns/net-1","pids":[7]},` +
		`{"id":"net:[2]","inode":2,"kind":"process","name":"sleep[9]","pids":[9],"skipped":"gone: its processes exited before it could be entered"}]`
	if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(IndexFile)), []byte(index), 0o644); err != nil {
		t.Fatal(err)
	}
	nss, err := ReadCaptured(root)
	if err != nil {
		t.Fatal(err)
	}
	got := [][3]string{}
	for _, c := range nss {
		got = append(got, [3]string{c.ID, c.Root, c.Skipped})
	}
	want := [][3]string{
		{"host", root, ""},
		{"net:[1]", filepath.Join(root, "netns", "net-1"), ""},
		{"net:[2]", "", "gone: its processes exited before it could be entered"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ReadCaptured = %q, want %q", got, want)
	}
}

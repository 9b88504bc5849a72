package snapshot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadIndexHostile: an index that is not JSON, repeats an ID, gives a
// directory of another shape (a path out of the snapshot), names a
// missing directory or two hosts is refused with the file named; a good
// one is read.
func TestReadIndexHostile(t *testing.T) {
	for name, tc := range map[string]struct{ index, want string }{
		"not json":    {`[{"id":`, "namespaces.json"},
		"repeated id": {`[{"id":"host","kind":"host"},{"id":"host","kind":"host"}]`, "repeated"},
		"escape":      {`[{"id":"net:[1]","kind":"named","dir":"netns/../../etc"}]`, "netns/net-INODE"},
		"missing":     {`[{"id":"net:[2]","kind":"named","dir":"netns/net-2"}]`, "missing"},
		"host dir":    {`[{"id":"host","kind":"host","dir":"netns/net-1"}]`, "only the host"},
		"two hosts":   {`[{"id":"host","kind":"host"},{"id":"h2","kind":"host"}]`, "2 host namespaces"},
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

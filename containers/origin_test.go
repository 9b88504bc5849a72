package containers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadOrigin: a snapshot's record of its network namespace is read
// back; none is not an error; a record that is malformed, incomplete or
// holds a name with control characters or a slash is an error naming the
// file.
func TestReadOrigin(t *testing.T) {
	type record struct {
		name, text string
		want       Origin
		bad        bool
	}
	for _, c := range []record{
		{"guest", `{"inode":4026532632,"host_inode":4026531833,"name":"nu4a"}`, Origin{Inode: 4026532632, HostInode: 4026531833, Name: "nu4a"}, false},
		{"host", `{"inode":7,"host_inode":7}`, Origin{Inode: 7, HostInode: 7}, false},
		{"not JSON", `inode=7`, Origin{}, true},
		{"unknown field", `{"inode":7,"host_inode":7,"pid":1}`, Origin{}, true},
		{"no host inode", `{"inode":7}`, Origin{}, true},
		{"negative", `{"inode":-7,"host_inode":7}`, Origin{}, true},
		{"escape in name", `{"inode":7,"host_inode":8,"name":"a\u001b[2J"}`, Origin{}, true},
		{"slash in name", `{"inode":7,"host_inode":8,"name":"../x"}`, Origin{}, true},
	} {
		root := t.TempDir()
		file := filepath.Join(root, filepath.FromSlash(OriginFile))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		o, ok, err := ReadOrigin(root)
		switch {
		case c.bad && (err == nil || !strings.Contains(err.Error(), file) || strings.Contains(err.Error(), "\x1b")):
			t.Errorf("%s: %+v %v, want an error naming %s, no raw escape", c.name, o, err, file)
		case !c.bad && (err != nil || !ok || o != c.want):
			t.Errorf("%s: %+v %v %v, want %+v", c.name, o, ok, err, c.want)
		}
	}
	if o, ok, err := ReadOrigin(t.TempDir()); ok || err != nil {
		t.Errorf("no record: %+v %v %v, want none and no error", o, ok, err)
	}
	if (Origin{Inode: 7, HostInode: 8, Name: "nu4a"}).Reason() != "the snapshot was taken in network namespace net:[7] (nu4a), not the host's net:[8]" {
		t.Errorf("reason: %q", Origin{Inode: 7, HostInode: 8, Name: "nu4a"}.Reason())
	}
}

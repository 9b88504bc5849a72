package snapshot

import (
	"archive/tar"
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzExtract feeds arbitrary bytes to Extract: it must never panic, and
// whatever it accepts or refuses, nothing may appear outside the target
// directory and every symlink inside must be a socket descriptor.
func FuzzExtract(f *testing.F) {
	f.Add(tarball(f, entry{name: "proc/net/tcp", body: "header\n"},
		entry{name: "proc/42/fd/3", link: "socket:[99]", typ: tar.TypeSymlink}).Bytes())
	f.Add(tarball(f, entry{name: "proc/../evil", body: "x"}).Bytes())
	f.Add(tarball(f, entry{name: "proc/1/fd/3", link: "/etc", typ: tar.TypeSymlink},
		entry{name: "proc/1/fd/3/passwd", body: "x"}).Bytes())
	var b bytes.Buffer
	root := filepath.Join("..", "testdata", "hosts", "healthy")
	if entries, err := List(root, []string{"net.ipv4.tcp_fin_timeout"}); err == nil {
		if err := WriteTar(root, &b, entries, time.Unix(0, 0)); err == nil {
			f.Add(b.Bytes())
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "x")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		_, _ = Extract(context.Background(), bytes.NewReader(data), dir, Limits{FileBytes: 1 << 16, TotalBytes: 1 << 20, Entries: 1000})
		if entries, _ := os.ReadDir(parent); len(entries) != 1 {
			t.Fatalf("Extract wrote outside its directory: %d entries in the parent", len(entries))
		}
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.Type()&fs.ModeSymlink == 0 {
				return err
			}
			target, err := os.Readlink(p)
			if err != nil || !IsSocketLink(target) || strings.Contains(target, "/") {
				t.Errorf("symlink %s -> %q", p, target)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

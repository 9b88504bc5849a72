package snapshot

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// entry is one tar entry of a hand-made tarball.
type entry struct {
	name, link, body string
	typ              byte
}

func tarball(t testing.TB, entries ...entry) *bytes.Buffer {
	t.Helper()
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: 0o644, Size: int64(len(e.body))}
		if e.typ == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return &b
}

func TestExtractRefusesUnsafeEntries(t *testing.T) {
	small := Limits{FileBytes: 10, TotalBytes: 15, Entries: 4}
	for _, tc := range []struct {
		name    string
		entries []entry
	}{
		{"parent escape", []entry{{name: "proc/../../evil", body: "x"}}},
		{"absolute path", []entry{{name: "/etc/evil", body: "x"}}},
		{"outside proc", []entry{{name: "etc/evil", body: "x"}}},
		{"unclean path", []entry{{name: "proc/net/./tcp", body: "x"}}},
		{"symlink out", []entry{{name: "proc/1/fd/3", link: "/etc", typ: tar.TypeSymlink}}},
		{"relative symlink", []entry{{name: "proc/1/fd/3", link: "../../..", typ: tar.TypeSymlink}}},
		{"write through symlink", []entry{
			{name: "proc/1/fd/3", link: "socket:[1]", typ: tar.TypeSymlink},
			{name: "proc/1/fd/3/x", body: "x"}}},
		{"hard link", []entry{{name: "proc/net/tcp", link: "proc/net/tcp6", typ: tar.TypeLink}}},
		{"device", []entry{{name: "proc/net/tcp", typ: tar.TypeChar}}},
		{"fifo", []entry{{name: "proc/net/tcp", typ: tar.TypeFifo}}},
		{"duplicate", []entry{{name: "proc/net/tcp", body: "a"}, {name: "proc/net/tcp", body: "b"}}},
		{"file too big", []entry{{name: "proc/net/tcp", body: strings.Repeat("x", 11)}}},
		{"total too big", []entry{{name: "proc/net/tcp", body: "0123456789"}, {name: "proc/net/tcp6", body: "0123456789"}}},
		{"too many entries", []entry{{name: "proc/a"}, {name: "proc/b"}, {name: "proc/c"}, {name: "proc/d"}, {name: "proc/e"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "x")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			_, err := Extract(context.Background(), bytes.NewReader(tarball(t, tc.entries...).Bytes()), dir, small)
			if err == nil {
				t.Fatal("Extract accepted the tarball")
			}
			if tc.name != "duplicate" && !errors.Is(err, ErrUnsafe) {
				t.Errorf("error %v is not ErrUnsafe", err)
			}
			if _, err := os.Lstat(filepath.Join(parent, "evil")); err == nil {
				t.Error("a file was written outside the directory")
			}
		})
	}
}

func TestExtractAcceptsSnapshot(t *testing.T) {
	b := tarball(t,
		entry{name: "proc/", typ: tar.TypeDir},
		entry{name: "proc/net/tcp", body: "header\n"},
		entry{name: "proc/42/fd/3", link: "socket:[99]", typ: tar.TypeSymlink},
	)
	root, err := Extract(context.Background(), bytes.NewReader(b.Bytes()), t.TempDir(), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.Readlink(filepath.Join(root, "42", "fd", "3")); err != nil || got != "socket:[99]" {
		t.Errorf("symlink = %q, %v", got, err)
	}
	if got, err := os.ReadFile(filepath.Join(root, "net", "tcp")); err != nil || string(got) != "header\n" {
		t.Errorf("net/tcp = %q, %v", got, err)
	}
}

func TestExtractNotGzip(t *testing.T) {
	if _, err := Extract(context.Background(), strings.NewReader("plain text"), t.TempDir(), DefaultLimits); err == nil {
		t.Error("Extract accepted a file that is not gzip")
	}
}

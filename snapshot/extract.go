package snapshot

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/tcpaudit/tcpaudit/internal/input"
)

// Limits bound what Extract accepts from a tarball.
type Limits struct {
	// FileBytes is the largest regular file; TotalBytes all files together.
	FileBytes, TotalBytes int64
	// Entries is the largest number of entries.
	Entries int
}

// DefaultLimits fit a host with millions of sockets (net/tcp is about 150
// bytes a socket) and refuse a decompression bomb.
var DefaultLimits = Limits{FileBytes: 1 << 30, TotalBytes: 2 << 30, Entries: 2_000_000}

// ErrUnsafe marks a tarball entry Extract refuses: a path outside TopDir, a
// symlink that is not a socket descriptor, a special file, a duplicate, or
// something over the limits.
var ErrUnsafe = errors.New("unsafe snapshot entry")

// Open extracts the snapshot tarball file into a new temporary directory
// and returns the proc root in it and a function that removes the directory.
// When ctx is done it stops within one read and removes what it wrote.
func Open(ctx context.Context, file string, lim Limits) (string, func(), error) {
	f, err := input.Open(file)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	dir, err := os.MkdirTemp("", "tcpaudit-snapshot-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	root, err := Extract(ctx, f, dir, lim)
	if err != nil {
		cleanup()
		return "", nil, fmt.Errorf("%s: %w", file, err)
	}
	return root, cleanup, nil
}

// Extract unpacks a gzipped snapshot tarball into dir, which must exist and
// be empty, and returns the proc root inside it. Only directories, regular
// files and "socket:[inode]" symlinks under TopDir are accepted; nothing is
// written through a symlink. A first pass reads the headers alone and
// refuses a tarball over lim before anything is written; both passes stop
// within one read when ctx is done (the caller removes dir).
func Extract(ctx context.Context, r io.ReadSeeker, dir string, lim Limits) (string, error) {
	if err := scan(ctx, r, lim); err != nil {
		return "", err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("snapshot: %w", err)
	}
	gz, err := gzip.NewReader(ctxReader{ctx, r})
	if err != nil {
		return "", fmt.Errorf("snapshot: not a gzipped tarball: %w", err)
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	x := extractor{root: filepath.Join(dir, TopDir), lim: lim, links: make(map[string]bool)}
	if err := os.Mkdir(x.root, 0o755); err != nil {
		return "", fmt.Errorf("snapshot: %w", err)
	}
	for n := 1; ; n++ {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("snapshot: entry %d: %w", n, err)
		}
		if n > lim.Entries {
			return "", fmt.Errorf("%w: more than %d entries", ErrUnsafe, lim.Entries)
		}
		if err := x.entry(h, tr); err != nil {
			return "", fmt.Errorf("snapshot: %s: %w", h.Name, err)
		}
	}
	return x.root, nil
}

type extractor struct {
	root  string
	lim   Limits
	total int64
	// links holds the relative paths written as symlinks.
	links map[string]bool
}

func (x *extractor) entry(h *tar.Header, r io.Reader) error {
	rel, err := x.relPath(h.Name)
	if err != nil || rel == "" {
		return err
	}
	to := filepath.Join(x.root, filepath.FromSlash(rel))
	switch h.Typeflag {
	case tar.TypeDir:
		return os.MkdirAll(to, 0o755)
	case tar.TypeSymlink:
		if !IsSocketLink(h.Linkname) {
			return fmt.Errorf("%w: symlink to %q (only socket:[inode] descriptors)", ErrUnsafe, h.Linkname)
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		x.links[rel] = true
		return os.Symlink(h.Linkname, to)
	case tar.TypeReg:
		return x.file(h, to, r)
	}
	return fmt.Errorf("%w: entry type %q", ErrUnsafe, h.Typeflag)
}

// relPath checks a name and returns it relative to TopDir ("" for TopDir
// itself).
func (x *extractor) relPath(name string) (string, error) {
	clean := path.Clean(strings.TrimSuffix(name, "/"))
	if clean != strings.TrimSuffix(name, "/") || strings.Contains(name, `\`) {
		return "", fmt.Errorf("%w: path is not clean", ErrUnsafe)
	}
	if clean == TopDir {
		return "", nil
	}
	rel, ok := strings.CutPrefix(clean, TopDir+"/")
	if !ok || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("%w: outside %s/", ErrUnsafe, TopDir)
	}
	for p := path.Dir(rel); p != "."; p = path.Dir(p) {
		if x.links[p] {
			return "", fmt.Errorf("%w: path through a symlink", ErrUnsafe)
		}
	}
	return rel, nil
}

func (x *extractor) file(h *tar.Header, to string, r io.Reader) error {
	if h.Size > x.lim.FileBytes || x.total+h.Size > x.lim.TotalBytes {
		return fmt.Errorf("%w: over the size limit (%d bytes a file, %d in all)", ErrUnsafe, x.lim.FileBytes, x.lim.TotalBytes)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err // a duplicate entry fails here
	}
	n, err := io.Copy(f, io.LimitReader(r, h.Size))
	x.total += n
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

package snapshot

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/input"
)

// TopDir is the directory a snapshot tarball holds the proc tree under, so
// that `tar xzf` makes ./proc.
const TopDir = "proc"

// WriteDir copies the entries from procRoot into dst, which must not exist.
// It fills a temporary sibling directory and renames it to dst at the end,
// so dst appears complete or not at all.
func WriteDir(procRoot, dst string, entries []Entry) error {
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("snapshot %s: already exists", dst)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(dst)), "."+filepath.Base(dst)+".tmp-")
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", dst, err)
	}
	if _, err := copyEntries(procRoot, tmp, entries, true); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("snapshot %s: %w", dst, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("snapshot %s: %w", dst, err)
	}
	return nil
}

// copyEntries copies the entries into dst and returns those copied: a file
// that vanished since List (a process that exited) is left out. With
// links false the symlinks are not made, only kept in the list (a tarball
// writes them from the entries).
func copyEntries(procRoot, dst string, entries []Entry, links bool) ([]Entry, error) {
	copied := make([]Entry, 0, len(entries))
	made := map[string]bool{} // directories made, so each is made once
	for _, e := range entries {
		if e.Link != "" && !links {
			copied = append(copied, e)
			continue
		}
		to := filepath.Join(dst, filepath.FromSlash(e.Path))
		if dir := filepath.Dir(to); !made[dir] {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("snapshot: %w", err)
			}
			made[dir] = true
		}
		if e.Link != "" {
			if err := os.Symlink(e.Link, to); err != nil {
				return nil, fmt.Errorf("snapshot: %w", err)
			}
		} else if err := copyFile(e.source(procRoot), to); errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, err
		}
		copied = append(copied, e)
	}
	return copied, nil
}

// source is the file e copies: From, or Path under procRoot.
func (e Entry) source(procRoot string) string {
	if e.From != "" {
		return e.From
	}
	return filepath.Join(procRoot, filepath.FromSlash(e.Path))
}

// copyFile copies a /proc file, whose stat size is 0, by reading to EOF.
func copyFile(from, to string) error {
	in, err := input.Open(from) // a FIFO would block: refused
	if err != nil {
		return fmt.Errorf("snapshot: read %s: %w", from, err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("snapshot: copy %s: %w", from, err)
	}
	return out.Close()
}

// WriteTar writes the entries of procRoot as a gzipped tarball under
// TopDir, with socket descriptors as symlink entries. The regular files
// are first copied to a temporary directory so that each header carries
// the size of what follows it; the symlinks are written from the entries.
func WriteTar(procRoot string, w io.Writer, entries []Entry, now time.Time) error {
	tmp, err := os.MkdirTemp("", "tcpaudit-snapshot-")
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	defer os.RemoveAll(tmp)
	entries, err = copyEntries(procRoot, tmp, entries, false)
	if err != nil {
		return err
	}
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	dirs := make(map[string]bool)
	for _, e := range entries {
		if err := writeDirs(tw, dirs, e.Path, now); err != nil {
			return err
		}
		if err := writeEntry(tw, tmp, e, now); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	return gz.Close()
}

// writeDirs writes a directory entry for each parent of rel not yet written.
func writeDirs(tw *tar.Writer, done map[string]bool, rel string, now time.Time) error {
	parts := strings.Split(TopDir+"/"+rel, "/")
	for i := 1; i < len(parts); i++ {
		dir := strings.Join(parts[:i], "/") + "/"
		if done[dir] {
			continue
		}
		done[dir] = true
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir, Mode: 0o755, ModTime: now}); err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
	}
	return nil
}

func writeEntry(tw *tar.Writer, tmp string, e Entry, now time.Time) error {
	name := TopDir + "/" + e.Path
	if e.Link != "" {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: e.Link, Mode: 0o777, ModTime: now})
	}
	f, err := os.Open(filepath.Join(tmp, filepath.FromSlash(e.Path)))
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: st.Size(), Mode: 0o644, ModTime: now}); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	if _, err := io.Copy(tw, f); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	return nil
}

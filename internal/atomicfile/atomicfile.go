// Package atomicfile writes files so that readers never see a partial one:
// the content goes into a temporary file in the same directory, flushed,
// and renamed over the target.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Write writes path through write with mode 0644, renamed over path only
// when write and the close succeed.
func Write(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	err = write(tmp)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		// Flushed before the rename, so a crash leaves the old file or
		// the new one, never an empty file under the name.
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Replace writes data to file the same way, keeping the mode and owner of
// the file it replaces (0644 for a new file) and the previous version as
// FILE.bak, a hard link. It returns the backup's name, "" when there was
// no file. A symlink as file is refused, never followed.
func Replace(file, data string) (backup string, err error) {
	return ReplaceBeneath(filepath.Dir(file), file, data)
}

// ReplaceBeneath is Replace for a file under the directory root: every
// component of file's directory below root is opened without following a
// symlink (openat2 with RESOLVE_BENEATH and RESOLVE_NO_SYMLINKS on Linux,
// an O_NOFOLLOW walk on other Unix systems), so a link planted in the tree
// cannot redirect the write outside it; the directory is synced after the
// rename so that the rename survives a crash.
func ReplaceBeneath(root, file, data string) (backup string, err error) {
	rel, err := beneath(root, filepath.Dir(file))
	if err != nil {
		return "", err
	}
	backup, err = replaceIn(root, rel, filepath.Base(file), data)
	if err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	if backup != "" {
		backup = file + ".bak"
	}
	return backup, nil
}

// beneath returns dir relative to root, refusing a dir outside root.
func beneath(root, dir string) (string, error) {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(absRoot, absDir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is not under %s (name the file with the root: %s)", dir, root, filepath.Join(root, dir))
	}
	return rel, nil
}

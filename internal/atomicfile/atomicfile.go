// Package atomicfile writes files so that readers never see a partial one:
// the content goes into a temporary file in the same directory, flushed,
// and renamed over the target.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
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
// no file.
func Replace(file, data string) (backup string, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".tmp*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(data)
	if err == nil {
		err = match(tmp, file)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		backup, err = keepBackup(file)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), file)
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	return backup, nil
}

// match gives tmp the mode and owner of the file it will replace, or mode
// 0644 when there is none, so replacing a file never loosens or changes
// its permissions.
func match(tmp *os.File, file string) error {
	st, err := os.Lstat(file)
	if errors.Is(err, fs.ErrNotExist) {
		return tmp.Chmod(0o644)
	}
	if err != nil {
		return err
	}
	if err := tmp.Chmod(st.Mode().Perm()); err != nil {
		return err
	}
	return matchOwner(tmp, st, file)
}

// keepBackup hard-links an existing file to FILE.bak before it is replaced.
func keepBackup(file string) (string, error) {
	st, err := os.Lstat(file)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", file)
	}
	backup := file + ".bak"
	if err := os.Remove(backup); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	return backup, os.Link(file, backup)
}

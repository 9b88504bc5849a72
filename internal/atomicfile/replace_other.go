//go:build !unix

package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// replaceIn replaces name in root/rel by path: where there is no openat,
// each component is checked with Lstat first (a symlink is refused), which
// leaves a race a Unix system does not have.
func replaceIn(root, rel, name, data string) (string, error) {
	dir := root
	for _, c := range strings.Split(rel, string(filepath.Separator)) {
		if c == "." {
			continue
		}
		dir = filepath.Join(dir, c)
		st, err := os.Lstat(dir)
		if err != nil {
			return "", err
		}
		if st.Mode()&fs.ModeSymlink != 0 || !st.IsDir() {
			return "", fmt.Errorf("%s is not a directory (a symlink is not followed)", dir)
		}
	}
	file := filepath.Join(dir, name)
	tmp, err := os.CreateTemp(dir, "."+name+".tmp*")
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
	var backup string
	if err == nil {
		backup, err = keepBackup(file)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), file)
	}
	return backup, err
}

// match gives tmp the mode of the file it will replace, or 0644.
func match(tmp *os.File, file string) error {
	st, err := os.Lstat(file)
	if errors.Is(err, fs.ErrNotExist) {
		return tmp.Chmod(0o644)
	}
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", file)
	}
	return tmp.Chmod(st.Mode().Perm())
}

// keepBackup hard-links an existing file to FILE.bak before it is replaced.
func keepBackup(file string) (string, error) {
	if _, err := os.Lstat(file); errors.Is(err, fs.ErrNotExist) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	backup := file + ".bak"
	if err := os.Remove(backup); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	return backup, os.Link(file, backup)
}

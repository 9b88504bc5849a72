package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// writeDropIn writes data to file through a temporary file in the same
// directory and a rename; an existing file is kept as FILE.bak.
func writeDropIn(s streams, file string, data string) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".tmp*")
	if err != nil {
		return &codeError{code: exitError, err: fmt.Errorf("--write: %w", err)}
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(data)
	if err == nil {
		err = matchFile(tmp, file)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	backup := ""
	if err == nil {
		backup, err = keepBackup(file)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), file)
	}
	if err != nil {
		return &codeError{code: exitError, err: fmt.Errorf("--write %s: %w", file, err)}
	}
	msg := "tcpaudit fix: wrote " + file
	if backup != "" {
		msg += " (previous version kept as " + backup + ")"
	}
	_, err = fmt.Fprintln(s.err, msg)
	return err
}

// matchFile gives tmp the mode and owner of the file it will replace, or
// mode 0644 when there is none, so replacing a file never loosens or
// changes its permissions.
func matchFile(tmp *os.File, file string) error {
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
	tst, err := tmp.Stat()
	if err != nil {
		return err
	}
	own, ok := st.Sys().(*syscall.Stat_t)
	cur, ok2 := tst.Sys().(*syscall.Stat_t)
	if !ok || !ok2 || (own.Uid == cur.Uid && own.Gid == cur.Gid) {
		return nil
	}
	if err := tmp.Chown(int(own.Uid), int(own.Gid)); err != nil {
		return fmt.Errorf("keep the owner %d:%d of %s: %w", own.Uid, own.Gid, file, err)
	}
	return nil
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

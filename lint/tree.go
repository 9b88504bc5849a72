package lint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tcpaudit/tcpaudit/internal/input"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

// Tree is what lint reads: a resolved configuration and how its paths map
// to the host.
type Tree struct {
	Config *sysctlconf.Config
	// Root is set when a whole tree was resolved; file names are then
	// relative to it.
	Root string
}

// host returns the path of a config file as the user can open it.
func (t Tree) host(file string) string {
	if t.Root == "" || t.Root == "/" {
		return file
	}
	return filepath.Join(t.Root, file)
}

// Load resolves a single root directory (one holding etc/, usr/ or run/)
// as a tree, and otherwise reads the paths in argument order (a directory
// gives its *.conf files in name order), as `systemd-sysctl FILE...` does.
func Load(paths []string) (Tree, error) {
	if len(paths) == 1 && isRootDir(paths[0]) {
		c, err := sysctlconf.Resolve(paths[0])
		return Tree{Config: c, Root: paths[0]}, err
	}
	var files []string
	var skipped []sysctlconf.Diagnostic
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return Tree{}, fmt.Errorf("lint: %w", err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		confs, notRegular, err := dirConfFiles(p)
		if err != nil {
			return Tree{}, err
		}
		files = append(files, confs...)
		skipped = append(skipped, notRegular...)
	}
	c, err := sysctlconf.ResolveFiles(dedupe(files))
	if c != nil {
		c.Diagnostics = append(skipped, c.Diagnostics...)
	}
	return Tree{Config: c}, err
}

// dirConfFiles lists the *.conf files of a directory in name order, hidden
// ones left out as systemd-sysctl does. An entry that cannot be opened (a
// directory named x.conf, a FIFO, a symlink loop) is not read; it gets the
// error diagnostic a tree gives it, since systemd-sysctl lists it and fails
// to read it.
func dirConfFiles(dir string) ([]string, []sysctlconf.Diagnostic, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "*.conf"))
	if err != nil {
		return nil, nil, fmt.Errorf("lint %s: %w", dir, err)
	}
	slices.Sort(matches)
	var files []string
	var diags []sysctlconf.Diagnostic
	for _, m := range matches {
		if strings.HasPrefix(filepath.Base(m), ".") {
			continue
		}
		if f, err := input.Open(m); err == nil {
			f.Close()
		} else {
			if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
				err = pe.Err
			}
			diags = append(diags, sysctlconf.Diagnostic{File: m, Severity: sysctlconf.SeverityError, Code: sysctlconf.CodeSyntax,
				Message: fmt.Sprintf("cannot open: %v", err)})
			continue
		}
		files = append(files, m)
	}
	return files, diags, nil
}

// dedupe drops a file that is a link to one read before
// (/etc/sysctl.d/99-sysctl.conf and /etc/sysctl.conf), so it is not
// reported as setting every key twice.
func dedupe(files []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		real, err := filepath.EvalSymlinks(f)
		if err != nil {
			real = f
		}
		if !seen[real] {
			seen[real] = true
			out = append(out, f)
		}
	}
	return out
}

// isRootDir reports whether dir is a root of a configuration tree rather
// than a directory of configuration files.
func isRootDir(dir string) bool {
	for _, sub := range []string{"etc", "usr", "run"} {
		if st, err := os.Stat(filepath.Join(dir, sub)); err == nil && st.IsDir() {
			return true
		}
	}
	return false
}

// Empty reports whether the tree holds no file at all: none read and none
// that failed to read.
func (t Tree) Empty() bool {
	return t.Config == nil || (len(t.Config.Files) == 0 && len(t.unread()) == 0)
}

// unread returns the files and directories of the tree that could not be
// read (their error diagnostics concern no line), by the name given.
func (t Tree) unread() map[string]string {
	out := map[string]string{}
	for _, d := range t.Config.Diagnostics {
		if unreadable(d) {
			out[d.File] = d.Message
		}
	}
	return out
}

// Unreadable returns an error naming, as the user can open them, the files
// and directories of the tree that could not be read, or nil: with any,
// the audit is incomplete.
func (t Tree) Unreadable() error {
	var bad []string
	for file, msg := range t.unread() {
		bad = append(bad, t.host(file)+": "+msg)
	}
	if len(bad) == 0 {
		return nil
	}
	slices.Sort(bad)
	return fmt.Errorf("lint: the audit is incomplete, not every file could be read: %s", strings.Join(bad, "; "))
}

// Command gen writes the fixture proc trees under testdata/hosts and
// testdata/malformed. Each tree mirrors /proc as tcpaudit reads it
// (--proc-root testdata/hosts/NAME): sys/kernel/osrelease, sys/net/...,
// net/tcp, net/tcp6, net/sockstat, net/sockstat6, net/netstat, net/snmp and
// <pid>/comm, <pid>/fd/N -> socket:[INODE] symlinks.
//
// Run it from the repository root; it replaces only the trees it generates:
//
//	go run ./testdata/hosts/gen
//
// Output is deterministic (fixed random seeds), so a rerun without changes
// to this program leaves git clean.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	root := flag.String("root", "testdata", "directory that receives hosts/ and malformed/")
	flag.Parse()
	if err := generate(*root); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func generate(root string) error {
	for _, h := range allHosts() {
		if err := replaceTree(filepath.Join(root, "hosts", h.name), h.files()); err != nil {
			return err
		}
	}
	for _, m := range malformedCases() {
		if err := replaceTree(filepath.Join(root, "malformed", m.name), m.files()); err != nil {
			return err
		}
	}
	return nil
}

// tree maps a slash path under the proc root to its content. A content
// starting with symlinkPrefix is written as a symlink to the rest; one
// starting with readOnlyPrefix as a file of the rest with mode 0444.
type tree map[string]string

const (
	symlinkPrefix  = "\x00symlink:"
	readOnlyPrefix = "\x00readonly:"
)

// replaceTree writes t into a temporary directory beside dir, then swaps it
// in for dir.
func replaceTree(dir string, t tree) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".gen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for p, content := range t {
		full := filepath.Join(tmp, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if target, ok := strings.CutPrefix(content, symlinkPrefix); ok {
			err = os.Symlink(target, full)
		} else if text, ok := strings.CutPrefix(content, readOnlyPrefix); ok {
			err = os.WriteFile(full, []byte(text), 0o444)
		} else {
			err = os.WriteFile(full, []byte(content), 0o644)
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.Rename(tmp, dir)
}

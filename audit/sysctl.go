package audit

import (
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tcpaudit/tcpaudit/sysctl"
)

// sysctlPath is the file of a dotted key under root/sys. In a dotted key a
// '/' stands for a '.' inside one name (net.ipv4.conf.eth0/100.rp_filter),
// as sysctl(8) spells it.
func sysctlPath(root, key string) string {
	parts := strings.Split(key, ".")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(p, "/", ".")
	}
	return filepath.Join(append([]string{root, "sys"}, parts...)...)
}

// readSysctl reads one sysctl under the root's sys and returns its
// whitespace-separated fields. It reads the whole file: procfs's
// SysctlStrings stops after 128 bytes, and a read in pieces (io.ReadAll's
// first 512 bytes, then more) gets nothing after the first from most
// handlers (docs/kernel-facts.md §40): both silently cut long values such
// as ip_local_reserved_ports. On the live /proc it reads with procFiles.
func (fsys FS) readSysctl(key string) ([]string, error) {
	files := fsys.files
	if files == nil { // outside Gather: a read of its own, whole (procFiles)
		files = newProcFiles(fsys.root)
		defer files.close()
	}
	b, err := files.readSmall(sysctlPath(fsys.root, key))
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(b)), nil
}

// checkShape returns a *ParseError naming the file when the value of a key
// the sysctl table knows is not what the kernel prints for it: the number
// of integers its type holds. The kernel never prints anything else, so
// such a value is a damaged copy of /proc, not a setting to judge.
func checkShape(root, key, value string) error {
	k, ok := sysctl.Lookup(key)
	if !ok {
		return nil
	}
	l, ok := k.Limits()
	if !ok {
		return nil
	}
	fields := strings.Fields(value)
	bad := len(fields) != l.Fields
	for _, f := range fields {
		if _, err := strconv.ParseInt(f, 10, 64); err != nil {
			bad = true
		}
	}
	if !bad {
		return nil
	}
	return &ParseError{File: sysctlPath(root, key), Line: 1,
		Err: malformed("%s: want %d integer(s) as the kernel prints it, got %q", key, l.Fields, value)}
}

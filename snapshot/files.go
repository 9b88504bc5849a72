// Package snapshot copies the files under a proc root that tcpaudit reads,
// to a directory or a gzipped tarball, and extracts such a tarball safely,
// so that a host can be audited elsewhere with --proc-root or --snapshot.
package snapshot

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/containers"
	"github.com/tcpaudit/tcpaudit/internal/input"
)

// hostnameFile names the host in reports of the snapshot; the audit itself
// does not read it.
const hostnameFile = "sys/kernel/hostname"

// Entry is one file of a snapshot: a regular file to copy, or a symlink
// (a process's socket descriptor) with its target.
type Entry struct {
	// Path is relative to the proc root, with forward slashes.
	Path string
	// Link is the symlink target; empty for a regular file.
	Link string
	// From is the file to copy when it is not Path under the proc root
	// (a network namespace's files, staged from inside it); "" otherwise.
	From string
}

// List returns what a snapshot of procRoot holds for the sysctl keys given:
// the sources, the sysctl files, each interface's conf files for
// net.<family>.conf.all.<setting> keys, and for every process holding a TCP
// socket listed in net/tcp or net/tcp6 its comm and those descriptors
// (sockets of other network namespaces and other protocols are left out).
// Files that do not exist are left out; processes that vanish are skipped.
func List(procRoot string, keys []string) ([]Entry, error) {
	return ListWithout(procRoot, keys, nil)
}

// ListWithout is List leaving out the descriptors of the processes others
// (sorted): the members of the other namespaces, captured with them
// (CaptureNamespace), so that no descriptor is read twice.
func ListWithout(procRoot string, keys []string, others []int) ([]Entry, error) {
	if _, err := os.Stat(procRoot); err != nil {
		return nil, err
	}
	seen := make(map[string]bool)
	var out []Entry
	add := func(rel string) {
		if seen[rel] {
			return
		}
		seen[rel] = true
		if st, err := os.Stat(filepath.Join(procRoot, rel)); err == nil && st.Mode().IsRegular() {
			out = append(out, Entry{Path: rel})
		}
	}
	for _, s := range audit.Sources() {
		if s.File {
			add(s.Path)
		}
	}
	add(hostnameFile)
	add(containers.OriginFile) // a copy of a snapshot keeps where it was taken
	for _, k := range append(slices.Clone(keys), audit.ConntrackKeys()...) {
		for _, rel := range sysctlFiles(procRoot, k) {
			add(rel)
		}
	}
	inodes, err := tcpInodes(procRoot)
	if err != nil {
		return nil, err
	}
	procs, err := processes(procRoot, inodes, others)
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return append(out, procs...), nil
}

// sysctlFiles maps a dotted key to its file, and a conf.all key to the
// same setting of every device.
func sysctlFiles(procRoot, key string) []string {
	rel := "sys/" + strings.ReplaceAll(key, ".", "/")
	files := []string{rel}
	for _, fam := range []string{"ipv4", "ipv6"} {
		setting, ok := strings.CutPrefix(key, "net."+fam+".conf.all.")
		if !ok {
			continue
		}
		dir := "sys/net/" + fam + "/conf"
		entries, _ := os.ReadDir(filepath.Join(procRoot, dir))
		for _, e := range entries {
			files = append(files, dir+"/"+e.Name()+"/"+setting)
		}
	}
	return files
}

// tcpInodes collects the inodes of the sockets listed in net/tcp and
// net/tcp6; a file that is missing or not a regular file adds none (List
// leaves it out of the snapshot too).
func tcpInodes(procRoot string) (map[uint64]struct{}, error) {
	inodes := make(map[uint64]struct{})
	for _, name := range []string{"net/tcp", "net/tcp6"} {
		p := filepath.Join(procRoot, name)
		fh, err := input.Open(p)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, input.ErrNotRegular) {
			continue
		} else if err != nil {
			return nil, err
		}
		err = audit.ScanTCP(fh, name == "net/tcp6", func(s *audit.Socket) {
			if s.Inode != 0 {
				inodes[s.Inode] = struct{}{}
			}
		})
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return inodes, nil
}

// processes lists comm and the descriptors of the given sockets of every
// process that holds one but those of skip (sorted), by PID.
func processes(procRoot string, inodes map[uint64]struct{}, skip []int) ([]Entry, error) {
	dirs, err := os.ReadDir(procRoot)
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, d := range dirs {
		if pid, err := strconv.Atoi(d.Name()); err == nil && pid > 0 {
			if _, found := slices.BinarySearch(skip, pid); !found {
				pids = append(pids, pid)
			}
		}
	}
	return processesOf(procRoot, pids, inodes), nil
}

// processesOf lists comm and the descriptors of the given sockets of each
// process of pids that holds one, by PID.
func processesOf(procRoot string, pids []int, inodes map[uint64]struct{}) []Entry {
	pids = slices.Sorted(slices.Values(pids))
	var out []Entry
	for _, pid := range pids {
		links, err := socketLinks(procRoot, strconv.Itoa(pid), inodes)
		if err != nil || len(links) == 0 {
			continue // vanished, or another user's process
		}
		comm := strconv.Itoa(pid) + "/comm"
		if _, err := os.Stat(filepath.Join(procRoot, comm)); err == nil {
			out = append(out, Entry{Path: comm})
		}
		out = append(out, links...)
	}
	return out
}

func socketLinks(procRoot, pid string, inodes map[uint64]struct{}) ([]Entry, error) {
	fdDir := pid + "/fd"
	fds, err := os.ReadDir(filepath.Join(procRoot, fdDir))
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join(procRoot, fdDir, fd.Name()))
		if errors.Is(err, fs.ErrNotExist) || err != nil {
			continue
		}
		if ino, ok := socketInode(target); ok && contains(inodes, ino) {
			out = append(out, Entry{Path: fdDir + "/" + fd.Name(), Link: target})
		}
	}
	sort.Slice(out, func(i, j int) bool { return fdNum(out[i].Path) < fdNum(out[j].Path) })
	return out, nil
}

func fdNum(p string) int {
	n, _ := strconv.Atoi(p[strings.LastIndexByte(p, '/')+1:])
	return n
}

// IsSocketLink reports whether a descriptor's target is "socket:[inode]".
func IsSocketLink(target string) bool {
	_, ok := socketInode(target)
	return ok
}

// socketInode parses "socket:[inode]".
func socketInode(target string) (uint64, bool) {
	inode, ok := strings.CutPrefix(target, "socket:[")
	if !ok || !strings.HasSuffix(inode, "]") {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSuffix(inode, "]"), 10, 64)
	return n, err == nil
}

func contains(set map[uint64]struct{}, k uint64) bool {
	_, ok := set[k]
	return ok
}

package containers

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/tcpaudit/tcpaudit/netns"
)

// RunNetns is where ip netns keeps its named namespaces.
const RunNetns = "/run/netns"

// Where says whose network namespace a proc root shows.
type Where struct {
	// Live is true when the proc root is a mounted procfs or a process's
	// directory in one; false for a copy or a snapshot.
	Live bool
	// Guest is true when the namespace is known not to be the host's: its
	// nsfs inode differs from the host's reference.
	Guest bool
	// PID is the process whose directory the proc root is (--proc-root
	// /proc/PID); 0 when the proc root is a whole procfs, which shows the
	// reader's own namespace.
	PID int
	// Inode and HostInode are the nsfs inodes of the namespace and of the
	// host's; HostRef says which process gave the host's.
	Inode, HostInode uint64
	HostRef          string
	// NetnsName is the namespace's name under /run/netns, if it has one.
	NetnsName string
}

// Reason says, for people, why the namespace is not the host's; "" when
// it is not known to be a guest.
func (w Where) Reason() string {
	if !w.Guest {
		return ""
	}
	who := "tcpaudit runs in"
	if w.PID != 0 {
		who = fmt.Sprintf("process %d is in", w.PID)
	}
	return fmt.Sprintf("%s network namespace net:[%d], not the host's net:[%d] (of %s)", who, w.Inode, w.HostInode, w.HostRef)
}

// Locate says whose network namespace procRoot shows: a procfs mount shows
// the reader's own (its net/ and sys/net/ are the reader's), a process's
// directory in one shows that process's. The host's namespace is PID 1's
// when it can be read, else kthreadd's (PID 2 in the host's PID namespace,
// a kernel thread always in the initial network namespace;
// docs/kernel-facts.md §23). When neither
// can be read, Guest stays false: the caller has other evidence (global
// keys absent) to go on.
func Locate(procRoot string) Where {
	root := filepath.Clean(procRoot)
	if !isProcfs(root) {
		return Where{}
	}
	w := Where{Live: true}
	mount := root
	nsPath := filepath.Join(root, "self", "ns", "net")
	if pid, err := strconv.Atoi(filepath.Base(root)); err == nil && pid > 0 && !exists(nsPath) {
		w.PID, mount, nsPath = pid, filepath.Dir(root), filepath.Join(root, "ns", "net")
	}
	ino, ok := nsInode(nsPath)
	if !ok {
		return w
	}
	w.Inode = ino
	if w.HostInode, w.HostRef, ok = hostInode(mount); !ok {
		return w
	}
	w.Guest = w.Inode != w.HostInode
	if w.Guest {
		w.NetnsName = netnsName(RunNetns, ino)
	}
	return w
}

// HostFiles reports whether the calling process sees the host's file
// system: its root directory is that of the host's first process (see
// netns.HostProcesses) under the procfs mount. It is so for a process put
// in another network namespace alone (ip netns exec, nsenter --net), not
// for one in a container with a root of its own. False when no host
// process's root can be read.
func HostFiles(mount string) bool {
	self, err := os.Stat("/")
	if err != nil {
		return false
	}
	for _, p := range netns.HostProcesses(mount) {
		if st, err := os.Stat(filepath.Join(mount, strconv.Itoa(p.PID), "root")); err == nil {
			return os.SameFile(st, self)
		}
	}
	return false
}

// hostInode returns the nsfs inode of the host's network namespace and
// whose it is (netns.Host).
func hostInode(mount string) (uint64, string, bool) {
	ino, ref, err := netns.Host(mount)
	return ino, ref, err == nil
}

// netnsName returns the name under dir of the nsfs file with inode ino.
func netnsName(dir string, ino uint64) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	for _, e := range entries[:min(len(entries), 4096)] {
		if i, ok := nsInode(filepath.Join(dir, e.Name())); ok && i == ino && ipNetnsName(e.Name()) {
			return e.Name()
		}
	}
	return ""
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

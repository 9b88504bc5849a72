//go:build linux && !tcpaudit_portable

package netns

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// Do runs fn inside the network namespace ns and returns its error. When
// ns is the caller's own namespace fn runs directly. Otherwise fn runs on a
// fresh goroutine locked to its OS thread, which opens ns, joins it with
// setns(CLONE_NEWNET), runs fn, joins the caller's namespace again and
// ends without unlocking, so that the runtime discards the thread instead
// of handing it to another goroutine. (The runtime keeps the main thread,
// parked, when the goroutine ran there; going back first keeps
// /proc/self/net, which follows that thread, the caller's.)
//
// Inside, /proc/sys/net and netlink sockets are those of ns (they follow
// the calling thread); /proc/net and /proc/self/net are not (they follow
// the thread-group leader; docs/kernel-facts.md §25): read ThreadNet.
// Goroutines that fn starts run on other threads, outside ns. A namespace
// that no longer exists is ErrGone; one the caller may not enter an error
// wrapping fs.ErrPermission.
func Do(ns Namespace, fn func() error) error {
	if IsCaller(ns) {
		return fn()
	}
	if root := ns.procRoot; root != "" && filepath.Clean(root) != "/proc" {
		return fmt.Errorf("namespace %s: seen under %s, not the live /proc: it cannot be entered", ns.ID, root)
	}
	home, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open the caller's network namespace: %w", err)
	}
	defer unix.Close(home)
	fd, err := ns.open()
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread: the thread ends with this goroutine.
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); errors.Is(err, unix.EPERM) {
			done <- fmt.Errorf("enter namespace %s: setns needs CAP_SYS_ADMIN (run as root): %w", ns.ID, err)
			return
		} else if err != nil {
			done <- fmt.Errorf("enter namespace %s: setns: %w", ns.ID, err)
			return
		}
		err := fn()
		unix.Setns(home, unix.CLONE_NEWNET) // best effort: the thread is discarded anyway
		done <- err
	}()
	return <-done
}

// open opens an nsfs file of ns: its path, else the ns/net link of one of
// its processes, checking that the file is still ns (a PID may have been
// reused).
func (ns Namespace) open() (int, error) {
	var paths []string
	if ns.Path != "" {
		paths = append(paths, ns.Path)
	}
	for _, pid := range ns.PIDs {
		paths = append(paths, filepath.Join("/proc", strconv.Itoa(pid), "ns", "net"))
	}
	var denied error
	for _, p := range paths {
		fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if errors.Is(err, fs.ErrPermission) {
			denied = fmt.Errorf("open %s: %w", p, err)
			continue
		}
		if err != nil {
			continue // gone with its process
		}
		if isNamespace(fd, ns.Inode) {
			return fd, nil
		}
		unix.Close(fd)
	}
	if denied != nil {
		return -1, fmt.Errorf("namespace %s: %w", ns.ID, denied)
	}
	if ns.Path != "" && ns.Processes == 0 {
		return -1, fmt.Errorf("namespace %s: %w", ns.ID, ErrDeleted)
	}
	return -1, fmt.Errorf("namespace %s: %w", ns.ID, ErrGone)
}

// isNamespace reports whether fd is the nsfs file of inode.
func isNamespace(fd int, inode uint64) bool {
	var sfs unix.Statfs_t
	var st unix.Stat_t
	return unix.Fstatfs(fd, &sfs) == nil && sfs.Type == unix.NSFS_MAGIC &&
		unix.Fstat(fd, &st) == nil && st.Ino == inode
}

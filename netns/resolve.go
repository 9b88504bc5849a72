package netns

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tcpaudit/tcpaudit/internal/visible"
)

// Resolve reads a --netns argument with the default Finder; see
// Finder.Resolve.
func Resolve(spec, procRoot string) (Namespace, error) {
	return Finder{}.Resolve(spec, procRoot)
}

// Resolve reads a --netns argument: a PID (the namespace that process is
// in), a path to an nsfs file (/run/docker/netns/..., /proc/PID/ns/net) or
// a name under /run/netns. The namespace comes named as Discover names it;
// when spec names the host's namespace it is the host.
func (f Finder) Resolve(spec, procRoot string) (Namespace, error) {
	ino, path, err := f.inodeOf(spec, procRoot)
	if err != nil {
		return Namespace{}, fmt.Errorf("--netns %s: %w", visible.Quote(spec), err)
	}
	all, _, err := f.Discover(procRoot)
	if err != nil {
		return Namespace{}, err
	}
	for _, ns := range all {
		if ns.Inode != ino {
			continue
		}
		if ns.Path == "" && path != "" {
			ns.Path = path
		}
		return ns, nil
	}
	// A bind mount that no process is in, outside the netns directory.
	return Namespace{ID: id(ino), Inode: ino, Path: path, Identity: Identity{Kind: KindNamed, Name: spec}, procRoot: procRoot, members: []int{}}, nil
}

// inodeOf returns the namespace inode spec names, and the nsfs path to
// open when spec is a path or a name.
func (f Finder) inodeOf(spec, procRoot string) (uint64, string, error) {
	if spec == "" {
		return 0, "", errors.New("empty: want a name under /run/netns, a PID or a path")
	}
	if pid, err := strconv.Atoi(spec); err == nil && pid > 0 {
		// An ip netns name may be all digits too: the name is taken when no
		// such process exists, and a spec that is both is refused.
		named := f.namePath(spec)
		_, nameErr := os.Lstat(named)
		ino, err := linkInode(filepath.Join(procRoot, spec, "ns", "net"))
		switch {
		case (errors.Is(err, fs.ErrNotExist) || gone(err)) && nameErr == nil:
			return f.inodeOfPath(named, spec)
		case errors.Is(err, fs.ErrNotExist) || gone(err):
			if zombie(filepath.Join(procRoot, spec)) {
				return 0, "", fmt.Errorf("process %d has exited (a zombie its parent has not reaped) and is in no network namespace", pid)
			}
			return 0, "", fmt.Errorf("no process %d under %s", pid, procRoot)
		case nameErr == nil:
			return 0, "", fmt.Errorf("both process %d and the namespace name %s exist: give %s for the process's namespace or %s for the named one",
				pid, visible.Quote(spec), filepath.Join(procRoot, spec, "ns", "net"), named)
		}
		return ino, "", err
	}
	if _, err := strconv.Atoi(spec); err == nil {
		return 0, "", errors.New("not a PID")
	}
	path := spec
	if !strings.Contains(spec, "/") {
		if spec == "." || spec == ".." {
			return 0, "", errors.New("not a namespace name")
		}
		path = f.namePath(spec)
	}
	return f.inodeOfPath(path, spec)
}

// namePath returns the path of the ip netns name.
func (f Finder) namePath(name string) string {
	dir := f.NetnsDir
	if dir == "" {
		dir = DefaultNetnsDir
	}
	return filepath.Join(dir, name)
}

// inodeOfPath returns the inode of the nsfs file at path, which spec gave
// (as a path, or as a name when they differ).
func (f Finder) inodeOfPath(path, spec string) (uint64, string, error) {
	ino, err := nsfsInode(path)
	if errors.Is(err, fs.ErrNotExist) && path != spec {
		return 0, "", fmt.Errorf("no namespace of that name (%s does not exist; ip netns list shows the names)", path)
	}
	if dir, link := filepath.Split(filepath.Clean(path)); errors.Is(err, fs.ErrNotExist) && link == "net" && zombie(filepath.Dir(filepath.Clean(dir))) {
		return 0, "", fmt.Errorf("%s: its process has exited (a zombie its parent has not reaped) and is in no network namespace", path)
	}
	return ino, path, err
}

// zombie reports whether the process directory dir (<proc>/<pid>) is there
// while its ns/net link is not: the process has exited and is not yet
// reaped; its directory stays, its namespaces are gone (docs/kernel-facts.md
// §50).
func zombie(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "stat"))
	return err == nil
}

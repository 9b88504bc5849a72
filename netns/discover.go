package netns

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/tcpaudit/tcpaudit/internal/input"
	"github.com/tcpaudit/tcpaudit/internal/visible"
)

// DefaultNetnsDir is where ip netns keeps the names of namespaces.
const DefaultNetnsDir = "/run/netns"

// Finder discovers and resolves namespaces.
type Finder struct {
	// NetnsDir is where ip netns keeps its names; "" means /run/netns,
	// read only when the proc root is the live /proc.
	NetnsDir string
	// Namer names namespaces after their containers and pods; nil leaves
	// them named by ip netns name or by their first process.
	Namer Namer
}

// Discover finds every network namespace under procRoot with the default
// Finder; see Finder.Discover.
func Discover(procRoot string) ([]Namespace, []Skipped, error) {
	return Finder{}.Discover(procRoot)
}

// Discover finds every network namespace: the host's (that of PID 1, or of
// the caller when PID 1 is not visible), every name under /run/netns (by
// the inode of its bind mount) and every namespace some process is in
// (<pid>/ns/net, deduplicated by inode). Processes that exit during the
// scan are left out silently; those whose namespace may not be read are
// counted in the Skipped returned. The namespaces come sorted: the host
// first, then the named ones, then the others, each by name.
func (f Finder) Discover(procRoot string) ([]Namespace, []Skipped, error) {
	hostIno, err := hostInode(procRoot)
	if err != nil {
		return nil, nil, err
	}
	byIno := map[uint64]*Namespace{hostIno: {ID: HostID, Inode: hostIno, Identity: Identity{Kind: KindHost, Name: HostID}}}
	skipped, err := scanProcesses(procRoot, byIno)
	if err != nil {
		return nil, nil, err
	}
	skipped = append(skipped, f.scanNamed(procRoot, byIno)...)
	out := make([]Namespace, 0, len(byIno))
	for _, ns := range byIno {
		ns.procRoot = procRoot
		if ns.members == nil {
			ns.members = []int{}
		}
		f.name(ns)
		out = append(out, *ns)
	}
	slices.SortFunc(out, compare)
	return out, skipped, nil
}

// compare orders the host first, then named namespaces, then the others,
// each by name and inode.
func compare(a, b Namespace) int {
	rank := func(ns Namespace) int {
		switch ns.Kind {
		case KindHost:
			return 0
		case KindNamed:
			return 1
		}
		return 2
	}
	return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Inode, b.Inode))
}

// hostInode is the host's namespace (Host), or the caller's when the
// host's may not be read.
func hostInode(procRoot string) (uint64, error) {
	ino, _, err := Host(procRoot)
	if err == nil {
		return ino, nil
	}
	self, serr := linkInode(filepath.Join(procRoot, "self", "ns", "net"))
	if serr != nil {
		return 0, fmt.Errorf("host network namespace: %w", errors.Join(err, serr))
	}
	return self, nil
}

// Host returns the inode of the host's network namespace under procRoot
// and whose link it was read from: PID 1's, else kthreadd's (PID 2 of the
// initial PID namespace, a kernel thread: always in the initial network
// namespace, docs/kernel-facts.md §23), for sandboxes that hide PID 1's.
func Host(procRoot string) (uint64, string, error) {
	var first error
	for _, p := range HostProcesses(procRoot) {
		ino, err := linkInode(filepath.Join(procRoot, strconv.Itoa(p.PID), "ns", "net"))
		if err == nil {
			return ino, p.Ref, nil
		}
		if first == nil {
			first = err
		}
	}
	return 0, "", first
}

// HostProcess is a process of the host's namespaces, and how to name it.
type HostProcess struct {
	PID int
	Ref string
}

// HostProcesses returns the processes whose namespaces and root directory
// are the host's, in the order to try them: PID 1 and, where procRoot shows
// it, kthreadd (PID 2 of the initial PID namespace, a kernel thread).
func HostProcesses(procRoot string) []HostProcess {
	out := []HostProcess{{1, "PID 1"}}
	if comm, err := input.ReadFile(filepath.Join(procRoot, "2", "comm"), 64); err == nil && string(comm) == "kthreadd\n" {
		out = append(out, HostProcess{2, "kthreadd, PID 2"})
	}
	return out
}

// linkInode reads a <pid>/ns/net link, "net:[INODE]".
func linkInode(path string) (uint64, error) {
	link, err := os.Readlink(path)
	if err != nil {
		return 0, err
	}
	s, ok := strings.CutPrefix(link, "net:[")
	s, ok2 := strings.CutSuffix(s, "]")
	n, err := strconv.ParseUint(s, 10, 64)
	if !ok || !ok2 || err != nil || n == 0 {
		return 0, fmt.Errorf("%s: %s is not a network namespace link (want net:[INODE])", path, visible.Quote(link))
	}
	return n, nil
}

// scanProcesses adds the namespace of every process under procRoot to
// byIno, keeping the lowest MaxPIDs PIDs of each.
func scanProcesses(procRoot string, byIno map[uint64]*Namespace) ([]Skipped, error) {
	pids, err := listPIDs(procRoot)
	if err != nil {
		return nil, err
	}
	var skipped []Skipped
	var denied []int
	for _, pid := range pids {
		ino, err := linkInode(filepath.Join(procRoot, strconv.Itoa(pid), "ns", "net"))
		switch {
		case errors.Is(err, fs.ErrPermission):
			denied = append(denied, pid)
			continue
		case errors.Is(err, fs.ErrNotExist) || gone(err):
			continue // exited during the scan, or a kernel without ns links
		case err != nil:
			skipped = append(skipped, Skipped{What: filepath.Join(procRoot, strconv.Itoa(pid), "ns", "net"), Reason: err.Error()})
			continue
		}
		ns := byIno[ino]
		if ns == nil {
			ns = &Namespace{ID: id(ino), Inode: ino}
			byIno[ino] = ns
		}
		ns.Processes++
		ns.members = append(ns.members, pid)
		if len(ns.PIDs) < MaxPIDs {
			ns.PIDs = append(ns.PIDs, pid)
		}
	}
	if len(denied) > 0 {
		skipped = append(skipped, Skipped{What: plural(len(denied), "process"), Reason: deniedReason(procRoot, denied, os.Geteuid() == 0)})
	}
	return skipped, nil
}

// deniedReason says which processes' ns/net links could not be read
// (the first three PIDs) and why: without root, reading another user's
// process needs CAP_SYS_PTRACE; as root, the kernel's ptrace access check
// refused it (a security module, or a process of another user namespace).
func deniedReason(procRoot string, pids []int, root bool) string {
	shown := make([]string, 0, 3)
	for _, pid := range pids[:min(3, len(pids))] {
		shown = append(shown, strconv.Itoa(pid))
	}
	list := strings.Join(shown, ", ")
	if len(pids) > len(shown) {
		list += fmt.Sprintf(", and %d more", len(pids)-len(shown))
	}
	why := "run as root"
	if root {
		why = "refused even to root: a security module (AppArmor, SELinux) or a ptrace restriction denies it"
	}
	whose := "their namespaces are"
	if len(pids) == 1 {
		whose = "its namespace is"
	}
	return fmt.Sprintf("permission denied reading %s/PID/ns/net of PID %s: %s not listed (%s)", filepath.Clean(procRoot), list, whose, why)
}

// listPIDs lists the numeric entries of procRoot, in increasing order.
func listPIDs(procRoot string) ([]int, error) {
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	var pids []int
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil && pid > 0 {
			pids = append(pids, pid)
		}
	}
	slices.Sort(pids)
	return pids, nil
}

// scanNamed adds the namespaces named under the netns directory: only on
// the live /proc unless NetnsDir was set (a copy of /proc has no mounts).
func (f Finder) scanNamed(procRoot string, byIno map[uint64]*Namespace) []Skipped {
	dir := f.NetnsDir
	if dir == "" {
		if filepath.Clean(procRoot) != "/proc" {
			return nil
		}
		dir = DefaultNetnsDir
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return []Skipped{{What: dir, Reason: err.Error()}}
	}
	var skipped []Skipped
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		ino, err := nsfsInode(path)
		if err != nil {
			skipped = append(skipped, Skipped{What: path, Reason: err.Error()})
			continue
		}
		ns := byIno[ino]
		if ns == nil {
			ns = &Namespace{ID: id(ino), Inode: ino}
			byIno[ino] = ns
		}
		if ns.Kind == "" { // the first name, in order, wins
			ns.Kind, ns.Name, ns.Path = KindNamed, e.Name(), path
		}
	}
	return skipped
}

// name names a namespace that is not the host's: after the container or
// pod of the first of its processes (lowest PID, up to maxNamed of them)
// that the Namer knows, else by its ip netns name, else after its first
// process, "COMM[PID]".
func (f Finder) name(ns *Namespace) {
	if ns.Kind == KindHost {
		return
	}
	pids := ns.members
	if pids == nil {
		pids = ns.PIDs
	}
	if f.Namer != nil {
		for _, pid := range pids[:min(len(pids), maxNamed)] {
			if ident := f.Namer(ns.procRoot, pid); ident.Kind != "" {
				ns.Identity, ns.Owner = ident, pid
				return
			}
		}
	}
	if ns.Kind == "" && len(ns.PIDs) > 0 {
		ns.Kind, ns.Name = KindProcess, processName(ns.procRoot, ns.PIDs[0])
	}
}

// processName is "COMM[PID]", "?[PID]" when the command cannot be read.
func processName(procRoot string, pid int) string {
	comm := "?"
	if b, err := input.ReadFile(filepath.Join(procRoot, strconv.Itoa(pid), "comm"), 64); err == nil {
		comm = strings.TrimSuffix(string(b), "\n")
	}
	return fmt.Sprintf("%s[%d]", comm, pid)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "s") {
		return fmt.Sprintf("%d %ses", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Package netns finds the network namespaces of a host and enters them. It
// owns what a namespace is to tcpaudit (Namespace: its inode, how to open
// it, a few of its processes and the Identity it is named by), the
// discovery of every namespace under a proc root (Discover), the reading
// of a --netns argument (Resolve), and running a function inside a
// namespace on a locked thread that is discarded afterwards (Do). It never
// prints and never judges.
package netns

import (
	"errors"
	"fmt"
)

// Kind says what a namespace belongs to.
type Kind string

// Kinds of namespace. Host is the namespace of PID 1; Named has a name under
// /run/netns (ip netns); Container and Pod were named by a Namer after the
// container or pod of a process inside; Process is named after its first
// process.
const (
	KindHost      Kind = "host"
	KindNamed     Kind = "named"
	KindContainer Kind = "container"
	KindPod       Kind = "pod"
	KindProcess   Kind = "process"
)

// Identity is what a namespace is named by. Runtime, ContainerID and the
// Pod fields are set by a Namer where it knows them.
type Identity struct {
	Kind         Kind   `json:"kind"`
	Name         string `json:"name"`
	Runtime      string `json:"runtime,omitempty"`
	ContainerID  string `json:"container_id,omitempty"`
	PodNamespace string `json:"pod_namespace,omitempty"`
	PodName      string `json:"pod_name,omitempty"`
	PodUID       string `json:"pod_uid,omitempty"`
}

// Namer names a namespace after the container or pod that the process pid
// (seen under procRoot) runs in. It returns the zero Identity when the
// process is in no container it knows; the namespace then keeps its
// ip netns name, or the command and PID of its first process.
//
// This is the one hook through which container and pod naming is plugged
// in (Finder.Namer).
type Namer func(procRoot string, pid int) Identity

// MaxPIDs is the number of processes a Namespace keeps, the lowest PIDs.
const MaxPIDs = 4

// maxNamed bounds the processes of a namespace a Namer is asked about,
// lowest PID first: a container's process may come after processes that
// joined its namespace from the host (nsenter, ip netns exec), but a
// namespace of hundreds of processes none of which is in a container is
// not read whole.
const maxNamed = 64

// HostID is the ID of the host's namespace.
const HostID = "host"

// Namespace is one network namespace.
type Namespace struct {
	// ID identifies the namespace in findings and reports: HostID for the
	// host's, "net:[INODE]" for any other (as ls -l /proc/PID/ns/net shows
	// it).
	ID string
	// Inode is the namespace's nsfs inode number.
	Inode uint64
	// Path is an nsfs file that holds the namespace (a bind mount under
	// /run/netns, a path given to Resolve); "" when only processes hold it.
	Path string
	// PIDs are the lowest PIDs of the processes in the namespace, at most
	// MaxPIDs; Processes counts them all.
	PIDs      []int
	Processes int
	Identity
	// Owner is the process whose container or pod names the namespace (a
	// Namer knew it), the one whose owner keeps its settings; 0 when no
	// Namer knew any of its processes.
	Owner int
	// procRoot is the proc root the PIDs were seen under.
	procRoot string
	// members are all the PIDs seen in it, lowest first.
	members []int
}

// Members returns every process seen in the namespace when it was found,
// lowest PID first: empty for a namespace no process is in, nil for one
// that was not found by Discover or Resolve (then any process may be).
func (ns Namespace) Members() []int { return ns.members }

// IsHost reports whether ns is the host's namespace.
func (ns Namespace) IsHost() bool { return ns.Kind == KindHost }

// String names the namespace for people: its name and, for all but the
// host, its ID.
func (ns Namespace) String() string {
	if ns.IsHost() {
		return "host"
	}
	return fmt.Sprintf("%s (%s)", ns.Name, ns.ID)
}

// Skipped is something discovery could not see, and why.
type Skipped struct {
	// What names it: a path, or "N processes".
	What   string `json:"what"`
	Reason string `json:"reason"`
}

func (s Skipped) String() string { return s.What + ": " + s.Reason }

// ErrGone is returned by Do for a namespace that no longer exists: every
// process that was in it exited and no bind mount holds it.
var ErrGone = errors.New("namespace gone: its processes exited and no bind mount holds it")

// ErrDeleted is returned by Do for a namespace that no process was in and
// whose bind mount (its ip netns name) was removed before it could be
// entered: ip netns delete. It wraps ErrGone.
var ErrDeleted = fmt.Errorf("namespace deleted: its ip netns name was removed and no process was in it: %w", ErrGone)

// ErrUnsupported is returned by Do where namespaces cannot be entered (not
// Linux, or the portable build).
var ErrUnsupported = errors.New("entering a network namespace needs Linux")

// id returns the ID of a namespace that is not the host's.
func id(inode uint64) string { return fmt.Sprintf("net:[%d]", inode) }

// IsCaller reports whether ns is the namespace the calling thread is in.
func IsCaller(ns Namespace) bool {
	ino, err := nsfsInode("/proc/thread-self/ns/net")
	return err == nil && ino == ns.Inode
}

// Captured is a namespace as a snapshot holds it: the directory of its
// files (a proc root: the snapshot's own for the host's namespace), or why
// the snapshot has none.
type Captured struct {
	Namespace
	// Root holds its files; "" when it was skipped.
	Root string
	// Skipped says why its files were not captured; "" when they were.
	Skipped string
}

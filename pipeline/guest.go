package pipeline

import (
	"os"
	"path/filepath"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/containers"
	"github.com/tcpaudit/tcpaudit/rules"
)

// guest says why the network namespace the facts show is not the host's,
// or "": its nsfs inode differs from the host's, or, on a live proc root,
// the keys only the initial namespace has are absent (a container whose
// PID 1 is its own). A copy of /proc is judged by neither: a snapshot by
// the namespace it recorded being taken in (containers.OriginFile), one
// whose record is unreadable as a guest, the reason saying why.
func guest(f *audit.Facts) (containers.Where, string) {
	w := containers.Locate(f.ProcRoot)
	if !w.Live {
		return taken(f.ProcRoot)
	}
	if w.Guest {
		return w, w.Reason()
	}
	if rules.ChildNamespace(f) {
		return w, "this network namespace lacks the keys only the host's (initial) namespace has (net.ipv4.tcp_mem, tcp_max_orphans)"
	}
	return w, ""
}

// InNamespace renders the fix's settings in the form the owner of the
// guest namespace keeps them (pod, container, ip netns, or sysctl -w run
// in the namespace), naming the owner from the files under hostRoot.
func (fx *Fix) InNamespace(hostRoot string) containers.Fix {
	settings := make([]containers.Setting, 0, len(fx.Changes))
	for _, c := range fx.Changes {
		settings = append(settings, containers.Setting{Key: c.Key, Value: c.Value, Comment: c.Comment})
	}
	w := fx.where
	var id containers.Identity
	switch {
	case w.PID != 0:
		id = containers.Identify(filepath.Dir(filepath.Clean(fx.procRoot)), hostRoot, w.PID)
	case w.Live:
		if id = containers.Identify(fx.procRoot, hostRoot, os.Getpid()); id.Kind == containers.KindProcess {
			id = containers.Identity{Kind: containers.KindProcess} // tcpaudit itself: set them here
		}
	default: // a snapshot: none of its processes can be entered
		id = containers.Identity{Kind: containers.KindProcess}
	}
	return containers.SysctlFix(id, w.NetnsName, settings)
}

// taken says whose network namespace the snapshot under procRoot shows,
// from its record; none recorded, it is taken for the host's.
func taken(procRoot string) (containers.Where, string) {
	o, ok, err := containers.ReadOrigin(procRoot)
	switch {
	case err != nil:
		return containers.Where{Guest: true}, "the snapshot's record of its network namespace is unreadable: " + err.Error()
	case !ok || o.Host():
		return containers.Where{}, ""
	}
	return containers.Where{Guest: true, Inode: o.Inode, HostInode: o.HostInode, NetnsName: o.Name}, o.Reason()
}

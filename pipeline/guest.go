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
// PID 1 is its own). A copy of /proc is judged by neither.
func guest(f *audit.Facts) (containers.Where, string) {
	w := containers.Locate(f.ProcRoot)
	if w.Guest {
		return w, w.Reason()
	}
	if w.Live && rules.ChildNamespace(f) {
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
	if w.PID != 0 {
		id = containers.Identify(filepath.Dir(filepath.Clean(fx.procRoot)), hostRoot, w.PID)
	} else if id = containers.Identify(fx.procRoot, hostRoot, os.Getpid()); id.Kind == containers.KindProcess {
		id = containers.Identity{Kind: containers.KindProcess} // tcpaudit itself: set them here
	}
	return containers.SysctlFix(id, w.NetnsName, settings)
}

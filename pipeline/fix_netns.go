package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/containers"
	"github.com/tcpaudit/tcpaudit/netns"
)

// FixIn audits the network namespace ns from inside it, as RunNamespaces
// does (its own sysctls, read on a thread that entered it with netns.Do),
// and plans its fix there, so that the keys it lacks or shows read-only
// are its own. For a namespace that is not the host's, the fix's owner is
// ns's (InNamespace: the pod, the container, the ip netns name, or nsenter
// into its first process) and no drop-in is offered. The proc root must
// be the live /proc.
func FixIn(ctx context.Context, o Options, ns netns.Namespace) (*Audit, *Fix, error) {
	if !audit.IsLive(o.ProcRoot) {
		return nil, nil, fmt.Errorf("%w: --netns enters a namespace of the live host; proc root %s is not /proc", audit.ErrUsage, o.ProcRoot)
	}
	r, err := Prepare(o)
	if err != nil {
		return nil, nil, err
	}
	var host map[string]string
	if !ns.IsHost() {
		if host, err = r.hostGlobals(); err != nil {
			return nil, nil, err
		}
	}
	var a *Audit
	var fx *Fix
	scope := &audit.Scope{Net: netns.ThreadNet, PIDs: ns.Members()}
	err = netns.Do(ns, func() error {
		var err error
		if ns.IsHost() {
			a, err = r.run(ctx, o.Today, scope)
		} else {
			a, err = r.runChild(ctx, o.Today, scope, host)
		}
		if err == nil {
			fx = PlanFix(a, a.Sysctl)
		}
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("namespace %s: %w", ns.String(), err)
	}
	fx.In(ns, o.ProcRoot)
	return a, fx, nil
}

// In marks fx as the fix of ns, a namespace of the live host under
// procRoot, planned from facts read inside it: for a namespace that is not
// the host's, no drop-in is offered and InNamespace names its owner.
func (fx *Fix) In(ns netns.Namespace, procRoot string) {
	if !ns.IsHost() {
		fx.where, fx.procRoot = guestWhere(ns, procRoot)
		fx.Guest = fmt.Sprintf("network namespace %s is not the host's", ns.String())
	}
}

// guestWhere is where ns is, for InNamespace: its name under /run/netns
// when it has one, the process whose container or pod named it (else its
// first process), and the proc root that process's directory is in
// (InNamespace reads the owner there).
func guestWhere(ns netns.Namespace, procRoot string) (containers.Where, string) {
	w := containers.Where{Live: true, Guest: true, Inode: ns.Inode}
	if dir, name := filepath.Split(ns.Path); strings.TrimSuffix(dir, "/") == containers.RunNetns {
		w.NetnsName = name
	}
	w.PID = ns.Owner
	if pids := ns.Members(); w.PID == 0 && len(pids) > 0 {
		w.PID = pids[0]
	}
	if w.PID == 0 {
		return w, procRoot
	}
	return w, filepath.Join(procRoot, strconv.Itoa(w.PID))
}

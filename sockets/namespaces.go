package sockets

import (
	"context"
	"fmt"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/netns"
)

// Namespace is the view of one network namespace, or why it has none.
type Namespace struct {
	Namespace netns.Namespace
	// View is nil when the namespace was skipped.
	View *View
	// Skipped says why the namespace has no view; "" when it has one.
	Skipped string
}

// EachNamespace takes the view of each namespace of nss from inside it
// (netns.Do), up to GOMAXPROCS at a time, and passes the views to emit in
// the order of nss as they come, so that a writer holds a few views at a
// time, not all of them. It looks for the owners of a namespace's sockets
// among its own processes; the proc root is the live /proc. A namespace
// gone before it could be entered, or that may not be entered, is passed
// as skipped with the reason.
func EachNamespace(ctx context.Context, nss []netns.Namespace, o Options, emit func(Namespace) error) error {
	if o.attributes() {
		if err := audit.CheckAttribution("/proc", o.Attribution); err != nil {
			return err
		}
	}
	// One pass over every process's sockets spares the walks it can.
	pass := audit.PassFor(o.Source, "/proc", len(nss))
	take := func(i int) (Namespace, error) {
		out := Namespace{Namespace: nss[i]}
		o := o
		o.Scope = &audit.Scope{Net: netns.ThreadNet, PIDs: nss[i].Members(), Pass: pass.Namespace(nss[i].Inode)}
		err := netns.Do(nss[i], func() error {
			var err error
			out.View, err = Take(ctx, "/proc", o)
			return err
		})
		if out.Skipped, err = netns.SkipReason(err); err != nil {
			return out, fmt.Errorf("namespace %s: %w", nss[i].String(), err)
		}
		return out, nil
	}
	return netns.InOrder(ctx, len(nss), take, func(_ int, n Namespace) error { return emit(n) })
}

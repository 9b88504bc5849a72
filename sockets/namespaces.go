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

// TakeNamespaces takes the view of each namespace of nss from inside it
// (netns.Do), up to GOMAXPROCS at a time, in the order of nss, looking
// for the owners of its sockets among its own processes. The proc
// root is the live /proc. A namespace gone before it could be entered, or
// that may not be entered, is skipped with the reason.
func TakeNamespaces(ctx context.Context, nss []netns.Namespace, o Options) ([]Namespace, error) {
	out := make([]Namespace, len(nss))
	err := netns.Parallel(ctx, len(nss), func(i int) error {
		out[i].Namespace = nss[i]
		o := o
		o.Scope = &audit.Scope{Net: netns.ThreadNet, PIDs: nss[i].Members()}
		err := netns.Do(nss[i], func() error {
			var err error
			out[i].View, err = Take(ctx, "/proc", o)
			return err
		})
		if out[i].Skipped, err = netns.SkipReason(err); err != nil {
			return fmt.Errorf("namespace %s: %w", nss[i].String(), err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

package sockets

import (
	"context"
	"fmt"

	"github.com/tcpaudit/tcpaudit/netns"
)

// EachCaptured takes the view of each namespace of a snapshot taken with
// --all-netns (snapshot.ReadCaptured) as EachNamespace takes them live, and
// passes each to emit in turn: each from the files under its Root, the
// owners of its sockets among the processes captured with it. A namespace
// the snapshot could not capture is passed as skipped with the reason it
// recorded.
func EachCaptured(ctx context.Context, nss []netns.Captured, o Options, emit func(Namespace) error) error {
	for _, c := range nss {
		out := Namespace{Namespace: c.Namespace, Skipped: c.Skipped}
		if c.Skipped == "" {
			var err error
			if out.View, err = Take(ctx, c.Root, o); err != nil {
				return fmt.Errorf("namespace %s: %w", c.String(), err)
			}
		}
		if err := emit(out); err != nil {
			return err
		}
	}
	return nil
}

package netns

import (
	"context"
	"errors"
	"io/fs"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Parallel calls fn for 0 ≤ i < n, up to GOMAXPROCS calls at a time, and
// returns their errors joined; once ctx is done, the calls not yet made
// are not made, and ctx's error stands once for them and for the calls it
// ended (not once per call). Each fn typically runs Do for one namespace: a
// thread enters one namespace at a time.
func Parallel(ctx context.Context, n int, fn func(i int) error) error {
	return ParallelUpTo(ctx, n, runtime.GOMAXPROCS(0), fn)
}

// ParallelUpTo is Parallel with up to limit calls at a time: more than
// GOMAXPROCS for calls that mostly wait (observing namespaces over the
// same window), each holding a thread.
func ParallelUpTo(ctx context.Context, n, limit int, fn func(i int) error) error {
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(max(limit, 1), n) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				if errs[i] = ctx.Err(); errs[i] == nil {
					errs[i] = fn(i)
				}
			}
		})
	}
	wg.Wait()
	if cerr := ctx.Err(); cerr != nil {
		kept := slices.DeleteFunc(slices.Clone(errs), func(err error) bool { return errors.Is(err, cerr) })
		if len(kept) < len(errs) {
			errs = append(kept, cerr)
		}
	}
	return errors.Join(errs...)
}

// ThreadNet is where code running inside Do reads the net/* files of the
// namespace: /proc/net and /proc/self/net follow the thread-group leader,
// /proc/thread-self/net the calling thread. It is right in place too (when
// Do runs fn directly, every thread not entering a namespace is in the
// caller's), while /proc/net is not when other calls of Do run at the
// same time on the leader.
const ThreadNet = "/proc/thread-self/net"

// The reasons SkipReason gives, said of one namespace.
const (
	SkippedGone    = "gone: its processes exited before it could be entered"
	SkippedDeleted = "deleted before it could be entered: its ip netns name was removed, and no process was in it"
	SkippedDenied  = "permission denied entering it (setns needs CAP_SYS_ADMIN: run as root)"
)

// SkipReason sorts an error of Do: a namespace deleted or gone before it
// could be entered, or that the caller may not enter, is skipped for the reason
// returned (nil error); any other error is returned as it is.
func SkipReason(err error) (string, error) {
	switch {
	case errors.Is(err, ErrDeleted):
		return SkippedDeleted, nil
	case errors.Is(err, ErrGone):
		return SkippedGone, nil
	case errors.Is(err, fs.ErrPermission):
		return SkippedDenied, nil
	}
	return "", err
}

// SkippedMany returns a reason of SkipReason said of n namespaces: for
// more than one, "gone: their processes exited before they could be
// entered". Any other reason is returned as it is.
func SkippedMany(reason string, n int) string {
	if n <= 1 {
		return reason
	}
	switch reason {
	case SkippedGone:
		return "gone: their processes exited before they could be entered"
	case SkippedDeleted:
		return "deleted before they could be entered: their ip netns names were removed, and no process was in them"
	case SkippedDenied:
		return "permission denied entering them (setns needs CAP_SYS_ADMIN: run as root)"
	}
	return reason
}

package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/visible"
	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/watch"
)

// watchedKeys are the per-namespace sysctls watch judges by, read inside
// each namespace (ip_local_port_range and tcp_max_tw_buckets belong to a
// namespace: docs/kernel-facts.md §37), and, with --all-netns, read again
// for namespaces that TIME_WAIT appears in after the start.
type watchedKeys struct {
	opts netnsOptions
	// keys is the map the report options hold; tried are the inodes looked
	// for, found or not, so that each is discovered at most once more.
	keys  map[uint32]watch.Keys
	tried map[uint32]bool
	notes []string
	// chosen is the namespace --netns names; nil without it.
	chosen *watch.Watched
}

// namespaceKeys reads the keys of the namespaces the options watch and
// returns them with the inode watched (0: every one). Without --netns or
// --all-netns it reads the proc root's own keys, as the caller sees them,
// and names tcpaudit's own namespace.
func (o watchOptions) namespaceKeys(ctx context.Context) (*watchedKeys, uint32, error) {
	w := &watchedKeys{opts: netnsOptions{AllNetns: o.AllNetns, Netns: o.Netns}, keys: map[uint32]watch.Keys{}, tried: map[uint32]bool{}}
	if !w.opts.enabled() {
		self, err := watch.NamespaceInode(o.ProcRoot, "self")
		if err != nil {
			return nil, 0, err
		}
		fsys, err := audit.NewFS(o.ProcRoot)
		if err != nil {
			return nil, 0, err
		}
		k, err := watch.ReadKeys(fsys)
		w.keys[self] = k
		w.chosen = ownNamespace(o.ProcRoot, self)
		return w, self, err
	}
	nss, notes, _, err := w.opts.namespaces(o.ProcRoot)
	if err != nil {
		return nil, 0, err
	}
	w.notes = notes
	if err := w.read(ctx, nss); err != nil {
		return nil, 0, err
	}
	if o.AllNetns {
		return w, 0, nil
	}
	if nss[0].Inode == 0 || nss[0].Inode > 1<<32-1 {
		return nil, 0, fmt.Errorf("--netns %s: namespace inode %d out of range", visible.Quote(o.Netns), nss[0].Inode)
	}
	w.chosen = &watch.Watched{ID: nss[0].ID, Identity: nss[0].Identity}
	return w, uint32(nss[0].Inode), nil
}

// ownNamespace names the namespace tcpaudit runs in, inode self, as check
// names namespaces: "host", an ip netns name, a container or pod; nil when
// it cannot be found (the header then shows the inode alone).
func ownNamespace(procRoot string, self uint32) *watch.Watched {
	if !audit.IsLive(procRoot) {
		return nil
	}
	ns, err := finder(namerRoot(procRoot, "")).Resolve(strconv.Itoa(os.Getpid()), procRoot)
	if err != nil || ns.Inode != uint64(self) {
		return nil
	}
	return &watch.Watched{ID: ns.ID, Identity: ns.Identity}
}

// read reads the keys of nss, each from a thread inside it; a namespace
// that is gone or may not be entered keeps the reason in Unread.
func (w *watchedKeys) read(ctx context.Context, nss []netns.Namespace) error {
	var mu sync.Mutex
	return netns.Parallel(ctx, len(nss), func(i int) error {
		ns := nss[i]
		var k watch.Keys
		err := netns.Do(ns, func() error {
			fsys, err := audit.NewFS("/proc")
			if err != nil {
				return err
			}
			k, err = watch.ReadKeys(fsys)
			return err
		})
		reason, err := netns.SkipReason(err)
		if err != nil {
			return fmt.Errorf("namespace %s: %w", ns, err)
		}
		k.Unread, k.Name = reason, ns.Name
		if !ns.IsHost() {
			k.ID = ns.ID
		}
		mu.Lock()
		defer mu.Unlock()
		w.keys[uint32(ns.Inode)] = k
		w.tried[uint32(ns.Inode)] = true
		return nil
	})
}

// cover reads the keys of the namespaces TIME_WAIT was created in, or
// orphans handed over in, since the start that have none yet (made after
// the start), finding the namespaces again once for each new inode.
func (w *watchedKeys) cover(ctx context.Context, r watch.Reading) error {
	if !w.opts.AllNetns {
		return nil
	}
	missing := false
	see := func(ns uint32) {
		if !w.tried[ns] {
			missing, w.tried[ns] = true, true
		}
	}
	for c := range r.TimeWait {
		see(c.Netns)
	}
	for ns := range r.TimeWaitByNetns {
		see(ns)
	}
	for c := range r.Orphans {
		see(c.Netns)
	}
	if !missing {
		return nil
	}
	nss, _, _, err := w.opts.namespaces("/proc")
	if err != nil {
		return err
	}
	var fresh []netns.Namespace
	for _, ns := range nss {
		if _, ok := w.keys[uint32(ns.Inode)]; !ok {
			fresh = append(fresh, ns)
		}
	}
	return w.read(ctx, fresh)
}

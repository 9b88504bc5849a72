package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/tcpaudit/tcpaudit/containers"
	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/snapshot"
)

// snapshotNamespaces returns the namespaces a snapshot --all-netns
// captures, and the proc root they are entered under, with the notes of
// discovery written to standard error.
func snapshotNamespaces(s streams, procRoot string) ([]netns.Namespace, string, error) {
	nss, notes, root, err := netnsOptions{AllNetns: true}.namespaces(procRoot)
	if err != nil {
		return nil, "", err
	}
	for _, n := range notes {
		fmt.Fprintf(s.err, "tcpaudit: snapshot: %s\n", report.Escape(n))
	}
	return nss, root, nil
}

// captureNamespaces lists what a snapshot --all-netns adds to the host's
// entries: the files of each namespace of nss but the host's, staged
// under stage, and the index. A namespace gone before it could be entered
// (or that may not be entered) is recorded in the index with the reason,
// as a live audit skips it, and noted on standard error.
func captureNamespaces(s streams, root string, nss []netns.Namespace, keys []string, stage string) ([]snapshot.Entry, error) {
	var entries []snapshot.Entry
	index := make([]snapshot.Namespace, 0, len(nss))
	var host uint64
	for _, ns := range nss {
		if ns.IsHost() {
			host = ns.Inode
		}
	}
	for _, ns := range nss {
		if ns.IsHost() {
			index = append(index, snapshot.IndexOf(ns))
			continue
		}
		sub := filepath.Join(stage, "net-"+strconv.FormatUint(ns.Inode, 10))
		if err := os.Mkdir(sub, 0o755); err != nil {
			return nil, fmt.Errorf("snapshot: %w", err)
		}
		es, err := snapshot.CaptureNamespace(root, ns, keys, sub)
		reason, err := netns.SkipReason(err)
		if err != nil {
			return nil, err
		}
		if reason != "" {
			fmt.Fprintf(s.err, "tcpaudit: snapshot: namespace %s skipped: %s\n", report.Escape(ns.String()), reason)
			index = append(index, snapshot.SkippedOf(ns, reason))
			continue
		}
		entries = append(entries, es...)
		if host != 0 {
			// Its directory, given as a proc root, is known for a guest's.
			o := containers.Origin{Inode: ns.Inode, HostInode: host}
			if ns.Kind == netns.KindNamed && containers.OriginName(ns.Name) {
				o.Name = ns.Name
			}
			e, err := snapshot.WriteNamespaceOrigin(o, sub, snapshot.IndexOf(ns).Dir)
			if err != nil {
				return nil, err
			}
			entries = append(entries, e)
		}
		index = append(index, snapshot.IndexOf(ns))
	}
	entry, err := snapshot.WriteIndex(index, stage)
	if err != nil {
		return nil, err
	}
	return append(entries, entry), nil
}

// checkCaptured audits the namespaces of a snapshot taken with
// --all-netns, under the proc root po names, and writes one report of
// them all.
func checkCaptured(ctx context.Context, s streams, o checkOptions, po pipeline.Options) error {
	nss, err := snapshot.ReadCaptured(po.ProcRoot)
	if err != nil {
		return err
	}
	audits, err := pipeline.RunCaptured(ctx, po, nss)
	if err != nil {
		return err
	}
	return o.emitNamespaces(s, pipeline.Merge(audits), audits, nil, po.ProcRoot)
}

// guestMembers returns the processes of the namespaces of nss but the
// host's: snapshot --all-netns reads their descriptors with their own
// namespace (snapshot.CaptureNamespace), not the host's.
func guestMembers(nss []netns.Namespace) []int {
	var pids []int
	for _, ns := range nss {
		if !ns.IsHost() {
			pids = append(pids, ns.Members()...)
		}
	}
	slices.Sort(pids)
	return pids
}

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/snapshot"
)

// captureNamespaces lists what a snapshot --all-netns adds to the host's
// entries: each other namespace's files, staged under stage, and the
// index. A namespace gone before it could be entered is left out with a
// note on standard error.
func captureNamespaces(s streams, procRoot string, keys []string, stage string) ([]snapshot.Entry, error) {
	nss, notes, root, err := netnsOptions{AllNetns: true}.namespaces(procRoot)
	if err != nil {
		return nil, err
	}
	for _, n := range notes {
		fmt.Fprintf(s.err, "tcpaudit: snapshot: %s\n", report.Escape(n))
	}
	var entries []snapshot.Entry
	captured := nss[:0:0]
	for _, ns := range nss {
		if !ns.IsHost() {
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
				fmt.Fprintf(s.err, "tcpaudit: snapshot: namespace %s left out: %s\n", report.Escape(ns.String()), reason)
				continue
			}
			entries = append(entries, es...)
		}
		captured = append(captured, ns)
	}
	index, err := snapshot.WriteIndex(captured, stage)
	if err != nil {
		return nil, err
	}
	return append(entries, index), nil
}

// checkCaptured audits the namespaces of a snapshot taken with
// --all-netns, under the proc root po names, and writes one report of
// them all.
func checkCaptured(ctx context.Context, s streams, o checkOptions, po pipeline.Options) error {
	index, err := snapshot.ReadIndex(po.ProcRoot)
	if err != nil {
		return err
	}
	nss := make([]netns.Namespace, len(index))
	roots := make([]string, len(index))
	for i, n := range index {
		nss[i], roots[i] = n.Namespace(), filepath.Join(po.ProcRoot, filepath.FromSlash(n.Dir))
	}
	audits, err := pipeline.RunCaptured(ctx, po, nss, roots)
	if err != nil {
		return err
	}
	return o.emitNamespaces(s, pipeline.Merge(audits), audits, nil, po.ProcRoot)
}

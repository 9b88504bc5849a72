package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/snapshot"
)

// TestSnapshotNamespaceGone: a namespace found by snapshot --all-netns
// whose only process exits before it is captured (discovery, then the
// exit, then the capture: in that order, every time) is recorded in the
// snapshot's index with the reason, and check --all-netns and sockets
// --all-netns on the snapshot list it as skipped for the reason a live
// audit gives.
func TestSnapshotNamespaceGone(t *testing.T) {
	netnsPrereqs(t)
	held := sleepInNewNetns(t)
	var stderr bytes.Buffer
	s := streams{out: &bytes.Buffer{}, err: &stderr}
	nss, root, err := snapshotNamespaces(s, "/proc")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(nss, func(ns netns.Namespace) bool { return slices.Contains(ns.PIDs, held.Process.Pid) })
	if i < 0 {
		t.Fatalf("discovery did not find the namespace of pid %d", held.Process.Pid)
	}
	gone := nss[i]
	// The host's and that one only: other namespaces of the machine, and
	// their sockets, are not what the test is about.
	if !nss[0].IsHost() {
		t.Fatalf("discovery listed %s first, not the host's namespace", nss[0].String())
	}
	nss = []netns.Namespace{nss[0], gone}
	held.Process.Kill()
	held.Wait()

	live, err := pipeline.RunNamespaces(context.Background(), pipeline.Options{ProcRoot: "/proc"}, []netns.Namespace{gone})
	if err != nil || live[0].Skipped == "" {
		t.Fatalf("live audit of the gone namespace: %v, skipped %q", err, live[0].Skipped)
	}
	dir := filepath.Join(t.TempDir(), "tree")
	if err := takeSnapshot(s, snapshotOptions{ProcRoot: "/proc", AllNetns: true}, dir, root, nss); err != nil {
		t.Fatal(err)
	}
	if want := "namespace " + gone.String() + " skipped: " + live[0].Skipped; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q; want %q", stderr.String(), want)
	}
	index, err := snapshot.ReadIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	j := slices.IndexFunc(index, func(n snapshot.Namespace) bool { return n.ID == gone.ID })
	if j < 0 || index[j].Skipped != live[0].Skipped || index[j].Dir != "" {
		t.Fatalf("the index has no entry for %s skipped for %q, without a directory (found at %d)", gone.ID, live[0].Skipped, j)
	}
	if _, err := os.Stat(filepath.Join(dir, "netns", "net-"+strconv.FormatUint(gone.Inode, 10))); err == nil {
		t.Errorf("the snapshot holds a directory for the gone namespace %s", gone.ID)
	}

	_, off := checkJSON(t, "--all-netns", "--fail-on", "never", "--proc-root", dir)
	k := slices.IndexFunc(off.Namespaces, func(n jsonNamespace) bool { return n.ID == gone.ID })
	if k < 0 || off.Namespaces[k].Skipped != live[0].Skipped || off.Namespaces[k].Sockets != nil {
		t.Errorf("check --all-netns on the snapshot: no namespace %s skipped for %q (found at %d)", gone.ID, live[0].Skipped, k)
	}
	doc := socketsAllNetns(t, "--proc-root", dir)
	found := false
	for _, n := range doc.Namespaces {
		found = found || n.ID == gone.ID && n.Skipped == live[0].Skipped && n.View == nil
	}
	if !found {
		t.Errorf("sockets --all-netns on the snapshot: no namespace %s skipped for %q", gone.ID, live[0].Skipped)
	}
}

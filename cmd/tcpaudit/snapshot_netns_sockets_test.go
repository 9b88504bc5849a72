package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// socketsNamespacesDoc is the JSON of sockets --all-netns.
type socketsNamespacesDoc struct {
	Namespaces []socketsNamespaceDoc `json:"namespaces"`
}

// socketsNamespaceDoc is one namespace of sockets --all-netns.
type socketsNamespaceDoc struct {
	ID      string      `json:"id"`
	Kind    string      `json:"kind"`
	Name    string      `json:"name"`
	PIDs    []int       `json:"pids"`
	Skipped string      `json:"skipped"`
	View    *socketsDoc `json:"view"`
}

// socketsAllNetns runs sockets --all-netns --format json with args.
func socketsAllNetns(t *testing.T, args ...string) socketsNamespacesDoc {
	t.Helper()
	code, out, stderr := runCLI(t, append([]string{"sockets", "--all-netns", "--format", "json"}, args...)...)
	var doc socketsNamespacesDoc
	if err := json.Unmarshal([]byte(out), &doc); code != exitOK || err != nil {
		t.Fatalf("sockets --all-netns %v: exit %d, %v\n%s", args, code, err, stderr)
	}
	return doc
}

// socketsSeen is what the live and offline views of a namespace must
// share: who it is, its states and the holders of its CLOSE_WAIT sockets.
type socketsSeen struct {
	ID, Kind, Name string
	States         map[string]int
	CloseWait      map[int]int // pid → CLOSE_WAIT sockets held
}

// seenByPID returns the views of doc's namespaces that hold pids.
func seenByPID(t *testing.T, doc socketsNamespacesDoc, pids []int) map[int]socketsSeen {
	t.Helper()
	out := map[int]socketsSeen{}
	for _, pid := range pids {
		i := slices.IndexFunc(doc.Namespaces, func(n socketsNamespaceDoc) bool { return slices.Contains(n.PIDs, pid) })
		if i < 0 || doc.Namespaces[i].View == nil {
			t.Fatalf("no namespace with a view holds pid %d: %+v", pid, doc.Namespaces)
		}
		n := doc.Namespaces[i]
		s := socketsSeen{ID: n.ID, Kind: n.Kind, Name: n.Name, States: nonZero(n.View.States), CloseWait: map[int]int{}}
		for _, p := range n.View.Processes {
			s.CloseWait[p.PID] = p.States["CLOSE_WAIT"]
		}
		out[pid] = s
	}
	return out
}

// TestSocketsSnapshotNamespaces: sockets --all-netns on a snapshot taken
// with snapshot --all-netns right after the live run shows the test's
// namespaces (an ip netns one and one held only by its process) with the
// same IDs, names, state counts and CLOSE_WAIT holders as live, and those
// counts are what ss -tan counts inside.
func TestSocketsSnapshotNamespaces(t *testing.T) {
	named, namedPID, heldPID := sockgenNamespaces(t, nil)
	pids := []int{namedPID, heldPID}

	live := seenByPID(t, socketsAllNetns(t), pids)
	dir := filepath.Join(t.TempDir(), "tree")
	if code, _, stderr := runCLI(t, "snapshot", "--all-netns", dir); code != exitOK {
		t.Fatalf("snapshot --all-netns: exit %d\n%s", code, stderr)
	}
	offline := seenByPID(t, socketsAllNetns(t, "--proc-root", dir), pids)
	if diff := cmp.Diff(live, offline); diff != "" {
		t.Errorf("sockets --all-netns on the snapshot differs from the live run (-live +snapshot):\n%s", diff)
	}
	oracles := map[int][]string{namedPID: {"ip", "netns", "exec", named}, heldPID: {"nsenter", "--net=/proc/" + strconv.Itoa(heldPID) + "/ns/net"}}
	for pid, oracle := range oracles {
		if diff := cmp.Diff(nonZero(ssStates(t, oracle...)), offline[pid].States); diff != "" {
			t.Errorf("pid %d: the snapshot's states differ from ss -tan inside (-ss +snapshot):\n%s", pid, diff)
		}
		if offline[pid].CloseWait[pid] != nsCloseWait {
			t.Errorf("pid %d: holders %v, want it holding %d CLOSE_WAIT sockets", pid, offline[pid].CloseWait, nsCloseWait)
		}
	}
}

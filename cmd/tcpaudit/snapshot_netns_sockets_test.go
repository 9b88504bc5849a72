package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/snapshot"
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
	netnsPrereqs(t)
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("needs unshare(1) from util-linux")
	}
	sockgen := buildSockgen(t, t.TempDir())
	named := nstest.New(t)
	namedPID := sockgenIn(t, sockgen, "ip", "netns", "exec", named)
	heldPID := sockgenIn(t, sockgen, "unshare", "--net", "--", "sh", "-c", `ip link set lo up && exec "$0" "$@"`)
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

// TestSnapshotNamespaceGone: a namespace found by snapshot --all-netns
// whose only process exits before it is captured (discovery, then the
// exit, then the capture: in that order, every time) is recorded in the
// snapshot's index with the reason, and check --all-netns and sockets
// --all-netns on the snapshot list it as skipped for the reason a live
// audit gives.
func TestSnapshotNamespaceGone(t *testing.T) {
	netnsPrereqs(t)
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("needs unshare(1) from util-linux")
	}
	held := exec.Command("unshare", "--net", "--", "sleep", "120")
	if err := held.Start(); err != nil {
		t.Skipf("unshare: %v", err)
	}
	t.Cleanup(func() { held.Process.Kill(); held.Wait() })
	for i := 0; i < 500 && !isComm(held.Process.Pid, "sleep"); i++ { // until unshare has made the namespace
		time.Sleep(10 * time.Millisecond)
	}
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
	held.Process.Kill()
	held.Wait()

	live, err := pipeline.RunNamespaces(context.Background(), pipeline.Options{ProcRoot: "/proc", Today: time.Now()}, []netns.Namespace{gone})
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

// isComm reports whether the command of pid is comm.
func isComm(pid int, comm string) bool {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	return string(b) == comm+"\n"
}

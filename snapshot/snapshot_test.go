package snapshot

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/hosttest"
	"github.com/tcpaudit/tcpaudit/rules"
)

const hostsDir = "../testdata/hosts"

func keys() []string { return append([]string{audit.PortRangeKey}, rules.NewEngine().Keys()...) }

// evaluate runs the baseline profile on a proc root.
func evaluate(t *testing.T, root string) rules.Result {
	t.Helper()
	return hosttest.Evaluate(t, root, rules.NewEngine(), audit.CensusProc)
}

func TestListFixtureHost(t *testing.T) {
	root := filepath.Join(hostsDir, "close-wait-leak")
	entries, err := List(root, keys())
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	links := 0
	for _, e := range entries {
		paths = append(paths, e.Path)
		if e.Link != "" {
			links++
			if !IsSocketLink(e.Link) {
				t.Errorf("%s -> %s is not a socket descriptor", e.Path, e.Link)
			}
		}
	}
	for _, want := range []string{"net/tcp", "net/tcp6", "net/netstat", "sys/kernel/osrelease", "sys/net/ipv4/tcp_fin_timeout", "2214/comm"} {
		if !slices.Contains(paths, want) {
			t.Errorf("snapshot lacks %s", want)
		}
	}
	if links == 0 {
		t.Error("no socket descriptors listed")
	}
}

// TestListHoldsEverySource: a snapshot of a host that has every file source
// lists each of them, and the audit reports each as read, both from the one
// list of sources.
func TestListHoldsEverySource(t *testing.T) {
	root := filepath.Join(hostsDir, "healthy")
	entries, err := List(root, keys())
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, e := range entries {
		listed = append(listed, e.Path)
	}
	var reported []string
	for _, s := range evaluate(t, root).Sources {
		if s.OK {
			reported = append(reported, s.Source)
		}
	}
	files := 0
	for _, s := range audit.Sources() {
		if !s.File {
			continue
		}
		files++
		if !slices.Contains(listed, s.Path) {
			t.Errorf("snapshot lacks source %s", s.Path)
		}
		if !slices.Contains(reported, string(s.Source)) {
			t.Errorf("report does not list source %s as read: %v", s.Source, reported)
		}
	}
	if files != len(reported) {
		t.Errorf("report lists %d sources as read, audit.Sources has %d files", len(reported), files)
	}
}

// TestTarRoundTrip snapshots fixture hosts into a tarball, extracts it and
// checks that the audit of the copy equals the audit of the original.
func TestTarRoundTrip(t *testing.T) {
	for _, host := range []string{"close-wait-leak", "port-exhaustion", "misconfigured", "ipv6-only"} {
		t.Run(host, func(t *testing.T) {
			root := filepath.Join(hostsDir, host)
			entries, err := List(root, keys())
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := WriteTar(root, &b, entries, time.Unix(0, 0)); err != nil {
				t.Fatal(err)
			}
			copyRoot, err := Extract(context.Background(), bytes.NewReader(b.Bytes()), t.TempDir(), DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			want, got := evaluate(t, root), evaluate(t, copyRoot)
			opts := cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "Notes" }, cmp.Ignore())
			if d := cmp.Diff(want, got, opts); d != "" {
				t.Errorf("audit of the snapshot differs (-original +snapshot):\n%s", d)
			}
		})
	}
}

func TestWriteDir(t *testing.T) {
	root := filepath.Join(hostsDir, "close-wait-leak")
	entries, err := List(root, keys())
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "snap")
	if err := WriteDir(root, dst, entries); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(evaluate(t, root).Findings, evaluate(t, dst).Findings); d != "" {
		t.Errorf("findings differ (-original +snapshot):\n%s", d)
	}
	if err := WriteDir(root, dst, entries); err == nil {
		t.Error("WriteDir over an existing directory succeeded")
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(dst), ".snap.tmp-*"))
	if len(left) > 0 {
		t.Errorf("temporary directories left: %v", left)
	}
}

func TestIsSocketLink(t *testing.T) {
	for target, want := range map[string]bool{
		"socket:[123]": true, "socket:[]": false, "socket:[1x]": false,
		"/dev/null": false, "pipe:[5]": false, "../../etc": false,
	} {
		if got := IsSocketLink(target); got != want {
			t.Errorf("IsSocketLink(%q) = %v", target, got)
		}
	}
}

// TestProcessExitsDuringSnapshot removes a process's files between List and
// the copy, as a process exiting does: the snapshot leaves it out.
func TestProcessExitsDuringSnapshot(t *testing.T) {
	root := t.TempDir()
	tcp := "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
		"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 17 1 0 100 0 0 10 0\n" +
		"   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 18 1 0 20 4 30 10 -1\n"
	for path, body := range map[string]string{"net/tcp": tcp, "7/comm": "gone\n", "8/comm": "kept\n"} {
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, pid := range []string{"7", "8"} {
		if err := os.MkdirAll(filepath.Join(root, pid, "fd"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("socket:[1"+pid+"]", filepath.Join(root, pid, "fd", "3")); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := List(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, "7", "comm")); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteTar(root, &b, entries, time.Unix(0, 0)); err != nil {
		t.Fatalf("WriteTar after a process exited: %v", err)
	}
	if err := WriteDir(root, filepath.Join(t.TempDir(), "snap"), entries); err != nil {
		t.Fatalf("WriteDir after a process exited: %v", err)
	}
	got, err := Extract(context.Background(), bytes.NewReader(b.Bytes()), t.TempDir(), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(got, "8", "comm")); err != nil {
		t.Errorf("8/comm missing: %v", err)
	}
	if _, err := os.Stat(filepath.Join(got, "7", "comm")); err == nil {
		t.Error("7/comm present after it vanished")
	}
}

// TestListOnlyTCPSockets: descriptors of sockets that net/tcp and net/tcp6
// do not list (UDP, unix, other network namespaces) stay out of a snapshot.
func TestListOnlyTCPSockets(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"net/tcp": "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
			"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41 1 0 100 0 0 10 0\n",
		"net/tcp6": "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
			"   0: 00000000000000000000000001000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 42 1 0 100 0 0 10 0\n",
		"5/comm": "server\n",
		"6/comm": "other\n",
	}
	for path, body := range files {
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{"5/fd/3": "socket:[41]", "5/fd/4": "socket:[42]", "5/fd/5": "socket:[77]", "6/fd/3": "socket:[78]"}
	for path, target := range links {
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := List(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e.Link != "" || strings.HasSuffix(e.Path, "/comm") {
			got = append(got, e.Path)
		}
	}
	want := []string{"5/comm", "5/fd/3", "5/fd/4"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("process entries = %v, want %v", got, want)
	}
}

// TestListWithout: ListWithout leaves out the command and descriptors of
// the processes given (those captured with their own namespace), and
// lists the rest as List does.
func TestListWithout(t *testing.T) {
	root := filepath.Join(hostsDir, "close-wait-leak")
	all, err := List(root, keys())
	if err != nil {
		t.Fatal(err)
	}
	rest, err := ListWithout(root, keys(), []int{1080, 2214})
	if err != nil {
		t.Fatal(err)
	}
	var want []Entry
	left := 0
	for _, e := range all {
		if strings.HasPrefix(e.Path, "1080/") || strings.HasPrefix(e.Path, "2214/") {
			left++
			continue
		}
		want = append(want, e)
	}
	if left == 0 {
		t.Fatal("the fixture's processes 1080 and 2214 hold no socket: nothing to leave out")
	}
	if d := cmp.Diff(want, rest); d != "" {
		t.Errorf("ListWithout 1080, 2214 (-List without them +ListWithout):\n%s", d)
	}
}

package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// ownWatch runs watch without --netns (sampled: no BPF needed) and returns
// its header and the netns_watched of its JSON report.
func ownWatch(t *testing.T) (string, map[string]any) {
	t.Helper()
	args := []string{"watch", "--source", "sample", "--duration", "500ms", "--interval", "250ms", "--fail-on", "never"}
	code, text, stderr := runCLI(t, args...)
	if code != exitOK {
		t.Fatalf("watch: exit %d: %s", code, stderr)
	}
	code, out, stderr := runCLI(t, append(args, "--format", "json")...)
	var doc struct {
		Watched map[string]any `json:"netns_watched"`
	}
	if err := json.Unmarshal([]byte(out), &doc); code != exitOK || err != nil {
		t.Fatalf("watch --format json: exit %d, %v: %s", code, err, stderr)
	}
	header, _, _ := strings.Cut(text, "\n")
	return header, doc.Watched
}

// TestWatchOwnNamespaceNamed: watch without --netns, run under ip netns
// exec, names the namespace it runs in as check does, "NAME (named,
// net:[INODE])", not by a bare inode, in the header and in netns_watched.
func TestWatchOwnNamespaceNamed(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	self, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	header, w := ownWatch(t)
	name, _ := w["name"].(string)
	if w["kind"] != "named" || w["id"] != self || !strings.HasPrefix(name, "tcpaudit-test-") {
		t.Errorf("netns_watched %v; want kind named, id %s, the ip netns name", w, self)
	}
	if want := "network namespace " + name + " (named, " + self + ")"; !strings.HasSuffix(header, want) {
		t.Errorf("header %q, want it to end in %q", header, want)
	}
}

// TestWatchOwnNamespaceHost: on the host, watch without --netns calls its
// namespace "host".
func TestWatchOwnNamespaceHost(t *testing.T) {
	self, err := os.Readlink("/proc/self/ns/net")
	kthreadd, kerr := os.Readlink("/proc/2/ns/net")
	if comm, _ := os.ReadFile("/proc/2/comm"); err != nil || kerr != nil || string(comm) != "kthreadd\n" || self != kthreadd {
		t.Skipf("the test does not run in the host's namespace, or cannot tell (%v, %v)", err, kerr)
	}
	header, w := ownWatch(t)
	if w["id"] != "host" || w["kind"] != "host" || !strings.HasSuffix(header, "network namespace host") {
		t.Errorf("header %q, netns_watched %v; want the host named host", header, w)
	}
}

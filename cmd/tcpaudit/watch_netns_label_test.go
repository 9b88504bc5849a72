package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/watch"
)

// TestWatchNetnsLabel: watch --netns NAME names the namespace in its header
// as check and sockets do, "NAME (named, net:[INODE])", and its JSON report
// carries the name in netns_watched, valid against the schema.
func TestWatchNetnsLabel(t *testing.T) {
	ns := nstest.New(t)
	st, err := os.Stat(filepath.Join("/run/netns", ns))
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("net:[%d]", st.Sys().(*syscall.Stat_t).Ino)
	args := []string{"--netns", ns, "--source", "bpf", "--duration", "1s", "--fail-on", "never"}
	code, out, stderr := runCLI(t, append([]string{"watch"}, args...)...)
	if code == exitError && strings.Contains(stderr, watch.ErrUnavailable.Error()) {
		t.Skipf("needs BPF tracing: %s", stderr)
	}
	header, _, _ := strings.Cut(out, "\n")
	if want := "network namespace " + ns + " (named, " + id + ")"; code != exitOK || !strings.HasSuffix(header, want) {
		t.Errorf("watch %v: exit %d, header %q, want it to end in %q (stderr %s)", args, code, header, want, stderr)
	}
	doc := watchDoc(t, func() {}, args)
	if err := watchSchema(t).Validate(doc); err != nil {
		t.Errorf("watch %v: output does not match the schema: %v", args, err)
	}
	got, _ := doc.(map[string]any)["netns_watched"].(map[string]any)
	if got["name"] != ns || got["id"] != id || got["kind"] != "named" {
		t.Errorf("watch %v: netns_watched %v, want name %s, id %s, kind named", args, got, ns, id)
	}
}

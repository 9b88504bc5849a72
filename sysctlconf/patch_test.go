package sysctlconf

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// copyTree copies a test tree, symlinks as links, into a temporary root.
func copyTree(t *testing.T, name string) string {
	t.Helper()
	dst := t.TempDir()
	if out, err := exec.Command("cp", "-a", tree(name)+"/.", dst).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v: %s", err, out)
	}
	return dst
}

// TestPatchApplies: the diff applies with the real patch(1) and afterwards
// every change wins when the tree is resolved again.
func TestPatchApplies(t *testing.T) {
	if _, err := exec.LookPath("patch"); err != nil {
		t.Skip("patch(1) not installed: cannot check that the diff applies")
	}
	root := copyTree(t, "patch")
	c, err := Resolve(root)
	if err != nil {
		t.Fatal(err)
	}
	changes := []Change{
		{Key: "net.ipv4.tcp_fin_timeout", Value: "60", Comment: "fin-timeout: above 60 s"},   // edited in 50-local.conf
		{Key: "net.ipv4.tcp_keepalive_intvl", Value: "30", Comment: "last line, no newline"}, // edited at EOF
		{Key: "net.ipv4.tcp_keepalive_probes", Value: "5", Comment: "keeps its '-'"},         // edited, ignore-failure kept
		{Key: "net.ipv4.tcp_rfc1337", Value: "1", Comment: "CRLF file via 99-sysctl.conf"},   // edited in /etc/sysctl.conf
		{Key: "net.ipv4.tcp_syn_retries", Value: "6", Comment: "vendor 99-zz.conf wins"},     // drop-in
		{Key: "net.ipv4.conf.lo.rp_filter", Value: "1", Comment: "only a glob sets it"},      // drop-in
		{Key: "net.ipv4.tcp_max_syn_backlog", Value: "4096", Comment: "set nowhere"},         // drop-in
	}
	name := c.DropInName([]string{"net.ipv4.tcp_syn_retries", "net.ipv4.tcp_fin_timeout"})
	if name != "99-zz_tcpaudit.conf" {
		t.Errorf("drop-in name %q, want 99-zz_tcpaudit.conf (after 99-zz.conf and 99-sysctl.conf)", name)
	}
	diff, err := c.Patch(changes, name, []string{"generated"})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("patch", "-p1", "-d", root, "--batch", "--forward")
	cmd.Stdin = strings.NewReader(diff)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch: %v\n%s\ndiff:\n%s", err, out, diff)
	}
	after, err := Resolve(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range changes {
		e, ok := after.Lookup(ch.Key)
		if !ok || e.Value != ch.Value {
			t.Errorf("%s = %q (%v) after patch, want %q\ndiff:\n%s", ch.Key, e.Value, ok, ch.Value, diff)
		}
	}
	if e, _ := after.Lookup("net.ipv4.tcp_keepalive_probes"); !e.IgnoreFailure {
		t.Errorf("keepalive_probes lost its '-' prefix")
	}
	crlf, _ := os.ReadFile(filepath.Join(root, "etc", "sysctl.conf"))
	if strings.Count(string(crlf), "\r\n") != strings.Count(string(crlf), "\n") {
		t.Errorf("CRLF file got LF lines:\n%q", crlf)
	}
}

func TestDropInName(t *testing.T) {
	for _, tt := range []struct {
		tree string
		keys []string
		want string
	}{
		{"dirs", []string{"net.ipv4.tcp_fin_timeout"}, DefaultDropIn},
		{"order", []string{"net.ipv4.tcp_fin_timeout"}, DefaultDropIn}, // "9-x.conf" < "90-": byte order
		{"legacy", []string{"net.ipv4.tcp_fin_timeout"}, "99-sysctl_tcpaudit.conf"},
		{"legacy", []string{"net.ipv4.tcp_keepalive_time"}, DefaultDropIn},
	} {
		c, err := Resolve(tree(tt.tree))
		if err != nil {
			t.Fatal(err)
		}
		if got := c.DropInName(tt.keys); got != tt.want {
			t.Errorf("%s %v: %q, want %q", tt.tree, tt.keys, got, tt.want)
		}
	}
}

// TestRenderDropIn: the drop-in parses back to its changes.
func TestRenderDropIn(t *testing.T) {
	text := RenderDropIn([]string{"header"}, []Change{{Key: "b.c", Value: "2", Comment: "why\nnot"}, {Key: "a.b", Value: "1 2"}})
	f, err := Parse(strings.NewReader(text), "d.conf")
	if err != nil || len(f.Diagnostics) > 0 {
		t.Fatalf("%v %v\n%s", err, f.Diagnostics, text)
	}
	if got := Render(f.Entries); got != "a.b = 1 2\nb.c = 2\n" {
		t.Errorf("entries %q\n%s", got, text)
	}
}

// TestPatchReplacesGeneratedDropIn: a drop-in tcpaudit wrote before is
// replaced under its name; a user's file of that name is never replaced.
func TestPatchReplacesGeneratedDropIn(t *testing.T) {
	if _, err := exec.LookPath("patch"); err != nil {
		t.Skip("patch(1) not installed")
	}
	for _, tt := range []struct {
		old, name string
	}{
		{GeneratedMark + ", profile old\nnet.ipv4.tcp_max_syn_backlog = 1", DefaultDropIn},
		{"# mine\nnet.ipv4.tcp_max_syn_backlog = 1\n", "90-tcpaudit_.conf"},
	} {
		root := copyTree(t, "patch")
		if err := os.WriteFile(filepath.Join(root, "etc", "sysctl.d", DefaultDropIn), []byte(tt.old), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := Resolve(root)
		if err != nil {
			t.Fatal(err)
		}
		changes := []Change{{Key: "net.ipv4.tcp_max_syn_backlog", Value: "4096", Comment: "x"}}
		name := c.DropInName([]string{"net.ipv4.tcp_max_syn_backlog"})
		if name != tt.name {
			t.Errorf("name %q, want %q", name, tt.name)
		}
		diff, err := c.Patch(changes, name, []string{"tcpaudit fix, profile new"})
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("patch", "-p1", "-d", root, "--batch", "--forward")
		cmd.Stdin = strings.NewReader(diff)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("patch: %v\n%s\n%s", err, out, diff)
		}
		after, _ := Resolve(root)
		if e, ok := after.Lookup("net.ipv4.tcp_max_syn_backlog"); !ok || e.Value != "4096" {
			t.Errorf("%q after patch:\n%s", e.Value, diff)
		}
	}
}

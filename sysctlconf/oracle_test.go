package sysctlconf

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// nsSysctl reads keys inside the namespace with the real sysctl(8).
func nsSysctl(t *testing.T, ns string, keys []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, k := range keys {
		b, err := exec.Command("ip", "netns", "exec", ns, "sysctl", "-n", k).Output()
		if err != nil {
			t.Fatalf("sysctl -n %s: %v", k, err)
		}
		out[k] = strings.Join(strings.Fields(string(b)), " ")
	}
	return out
}

func systemdSysctl(t *testing.T) string {
	p := systemdSysctlPath()
	if p == "" {
		t.Skip("systemd-sysctl not installed: no oracle for the merge semantics")
	}
	return p
}

func systemdSysctlPath() string {
	for _, p := range []string{"/usr/lib/systemd/systemd-sysctl", "/lib/systemd/systemd-sysctl"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// applyScript runs systemd-sysctl in a private mount namespace inside ns
// where the four sysctl.d directories and /etc/sysctl.conf are the tree's
// (or empty), so the host configuration is neither read nor touched. The
// trees set only per-namespace net.ipv4 keys.
func applyScript(t *testing.T, root, bin string) string {
	empty := t.TempDir()
	emptyFile := filepath.Join(empty, "sysctl.conf")
	if err := os.WriteFile(emptyFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("set -e\nmount -t tmpfs none /run\nmount -t tmpfs none /usr/local/lib\n")
	b.WriteString("mkdir -p /run/sysctl.d /usr/local/lib/sysctl.d\n")
	for _, d := range Dirs {
		src := filepath.Join(root, d)
		if _, err := os.Stat(src); err != nil {
			src = empty
		}
		fmt.Fprintf(&b, "mount --bind %q %q\n", src, d)
	}
	legacy := filepath.Join(root, LegacyFile)
	if _, err := os.Stat(legacy); err != nil {
		legacy = emptyFile
	}
	fmt.Fprintf(&b, "mount --bind %q %q\n%s || true\n", legacy, LegacyFile, bin)
	return b.String()
}

// TestSystemdOracle applies each tree with the real systemd-sysctl inside a
// fresh network namespace and checks that every key ends with the value
// Resolve says wins, or keeps its value when nothing sets it. The trees set
// values that differ from a fresh namespace's: systemd-sysctl skips a write
// of the current value, and the kernel then copies a later write to
// conf/default into every interface never written (merge sets lo to 2, not
// 0, for that reason).
func TestSystemdOracle(t *testing.T) {
	bin := systemdSysctl(t)
	for _, name := range oracleTrees {
		t.Run(name, func(t *testing.T) {
			compareApplied(t, name, bin, Resolve)
		})
	}
}

// TestProcpsOracle applies the trees with the real `sysctl --system` and
// checks every key against ResolveProcps.
func TestProcpsOracle(t *testing.T) {
	if _, err := exec.LookPath("sysctl"); err != nil {
		t.Skip("sysctl(8) not installed")
	}
	p := Procps{GlobExclusions: procpsHonoursGlobExclusions(t)}
	resolve := func(root string) (*Config, error) { return ResolveProcps(root, p) }
	for _, name := range oracleTrees {
		t.Run(name, func(t *testing.T) {
			compareApplied(t, name, "sysctl --system >/dev/null", resolve)
		})
	}
}

// TestDifferencesDiagnosed: wherever procps ends with another value than
// systemd-sysctl, a procps-systemd-difference diagnostic says why.
func TestDifferencesDiagnosed(t *testing.T) {
	differing := 0
	for _, name := range oracleTrees {
		sd, err := Resolve(tree(name))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []bool{false, true} {
			pp, err := ResolveProcps(tree(name), Procps{GlobExclusions: v})
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range oracleKeys(pp) {
				a, okA := sd.Lookup(k)
				b, okB := pp.Lookup(k)
				if okA == okB && a.Value == b.Value {
					continue
				}
				differing++
				if !diagnosed(sd, k) {
					t.Errorf("%s: %s is %q under systemd, %q under procps, and no diagnostic says so", name, k, a.Value, b.Value)
				}
			}
		}
	}
	if differing < 4 {
		t.Errorf("only %d differences in the trees: the test trees should show every difference", differing)
	}
}

// oracleTrees are the trees applied with the real programs.
var oracleTrees = []string{"dirs", "masks", "order", "legacy", "nolink", "merge", "globs", "hidden"}

// procpsHonoursGlobExclusions reports procps-ng 4.0.5 or later.
func procpsHonoursGlobExclusions(t *testing.T) bool {
	out, err := exec.Command("sysctl", "--version").Output()
	if err != nil {
		t.Fatalf("sysctl --version: %v", err)
	}
	var major, minor, patch int
	f := strings.Fields(string(out))
	if _, err := fmt.Sscanf(f[len(f)-1], "%d.%d.%d", &major, &minor, &patch); err != nil {
		t.Fatalf("sysctl --version: %q", out)
	}
	return major > 4 || (major == 4 && (minor > 0 || patch >= 5))
}

// diagnosed reports a procps/systemd diagnostic that names key.
func diagnosed(c *Config, key string) bool {
	for _, d := range c.Diagnostics {
		if d.Code == CodeDifference && (strings.Contains(d.Message, key) || d.File == LegacyFile || strings.Contains(d.Message, "overlapping globs") || strings.Contains(d.Message, "glob exclusion")) {
			return true
		}
	}
	return false
}

// compareApplied applies the tree with command inside a fresh namespace and
// compares every touched key with what resolve says wins.
func compareApplied(t *testing.T, name, command string, resolve func(string) (*Config, error)) {
	ns := nstest.New(t)
	root, _ := filepath.Abs(tree(name))
	c, err := resolve(root)
	if err != nil {
		t.Fatal(err)
	}
	keys := oracleKeys(c)
	before := nsSysctl(t, ns, keys)
	script := applyScript(t, root, command)
	if out, err := exec.Command("ip", "netns", "exec", ns, "unshare", "-m", "--propagation", "private", "sh", "-c", script).CombinedOutput(); err != nil {
		if strings.Contains(string(out), "mount:") && strings.Contains(strings.ToLower(string(out)), "permission denied") {
			t.Skipf("cannot mount in a private mount namespace here: %s", out)
		}
		t.Fatalf("%s: %v\n%s", command, err, out)
	}
	after := nsSysctl(t, ns, keys)
	for _, k := range keys {
		expect := before[k]
		if e, ok := c.Lookup(k); ok {
			expect = strings.Join(strings.Fields(e.Value), " ")
		}
		if after[k] != expect {
			t.Errorf("%s = %q after %s, want %q (before %q)", k, after[k], command, expect, before[k])
		}
	}
}

// oracleKeys are the concrete keys a tree touches, globs expanded over the
// interfaces of a fresh namespace.
func oracleKeys(c *Config) []string {
	seen := map[string]bool{}
	var keys []string
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for _, e := range c.Lines {
		if !e.Glob() {
			add(e.Key)
		} else if strings.HasPrefix(e.Key, "net.ipv4.conf.") {
			for _, dev := range []string{"all", "default", "lo"} {
				add("net.ipv4.conf." + dev + ".rp_filter")
			}
		}
	}
	return keys
}

// TestParseOracle applies one file written in every accepted style (CRLF,
// blanks, slash keys, '-' prefix, tabs inside a value) with the real
// `sysctl -p` and the real systemd-sysctl in fresh namespaces, and compares
// the resulting values with what Parse read.
func TestParseOracle(t *testing.T) {
	text := "# comment\r\n; comment\r\n" +
		"net.ipv4.tcp_fin_timeout=31\r\n" +
		"  net/ipv4/tcp_syn_retries   =   4  \r\n" +
		"-net.ipv4.tcp_keepalive_probes = 5\r\n" +
		"net.ipv4.tcp_rmem = 8192\t131072   6291456\r\n" +
		"net.ipv4.tcp_keepalive_intvl = 10\r\nnet.ipv4.tcp_keepalive_intvl = 11\r\n"
	file := filepath.Join(t.TempDir(), "styles.conf")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := ResolveFiles([]string{file})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Entries) != 5 {
		t.Fatalf("parsed %d entries, want 5: %+v", len(c.Entries), c.Entries)
	}
	commands := map[string][]string{"procps": {"sysctl", "-q", "-p", file}}
	if bin := systemdSysctlPath(); bin != "" {
		commands["systemd"] = []string{bin, file}
	}
	for name, argv := range commands {
		t.Run(name, func(t *testing.T) {
			ns := nstest.New(t)
			if out, err := exec.Command("ip", append([]string{"netns", "exec", ns}, argv...)...).CombinedOutput(); err != nil {
				t.Fatalf("%v: %v\n%s", argv, err, out)
			}
			var keys []string
			for _, e := range c.Entries {
				keys = append(keys, e.Key)
			}
			got := nsSysctl(t, ns, keys)
			for _, e := range c.Entries {
				if want := strings.Join(strings.Fields(e.Value), " "); got[e.Key] != want {
					t.Errorf("%s = %q after %s, Parse read %q", e.Key, got[e.Key], name, want)
				}
			}
		})
	}
}

package sysctl

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestEmbeddedTable parses keys.tsv directly, so that a malformed row
// fails here with its line rather than as a panic elsewhere.
func TestEmbeddedTable(t *testing.T) {
	tab, err := parse("keys.tsv", strings.NewReader(keysTSV))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(strings.TrimSpace(keysTSV), "\n"); len(tab) != n {
		t.Errorf("%d keys parsed from %d rows", len(tab), n)
	}
	if len(tab) < 60 {
		t.Errorf("only %d keys", len(tab))
	}
}

// TestKeysSane checks every key's bounds and texts against each other.
func TestKeysSane(t *testing.T) {
	documented := 0
	for _, k := range All() {
		t.Run(k.Name, func(t *testing.T) {
			if k.Documented() {
				documented++
				checkTexts(t, k)
			}
			checkLimits(t, k)
		})
	}
	if documented < 50 {
		t.Errorf("only %d documented keys", documented)
	}
}

// checkTexts requires every text a documented key shows.
func checkTexts(t *testing.T, k Key) {
	for col, s := range map[string]string{"type": k.Type, "default": k.Default, "valid_min": k.Min,
		"valid_max": k.Max, "meaning": k.Meaning, "source": k.Source} {
		if s == "" {
			t.Errorf("no %s", col)
		}
	}
	if removed := strings.Contains(k.Type, "REMOVED"); removed != (k.Scope == ScopeRemoved) {
		t.Errorf("type %q, scope %s", k.Type, k.Scope)
	}
}

// checkLimits requires bounds that fit the type and the documented text.
func checkLimits(t *testing.T, k Key) {
	l, ok := k.Limits()
	if !ok {
		if l != (Limits{}) {
			t.Errorf("no limits, yet %+v", l)
		}
		return
	}
	if l.Fields < 1 || l.Fields > 3 || l.Min > l.Max {
		t.Errorf("limits %+v", l)
	}
	want := 1
	switch {
	case strings.HasPrefix(k.Type, "range"):
		want = 2
	case strings.HasPrefix(k.Type, "list (3"):
		want = 3
	}
	if l.Fields != want {
		t.Errorf("%d fields for type %q", l.Fields, k.Type)
	}
	for _, b := range []struct {
		text string
		val  int64
	}{{k.Min, l.Min}, {k.Max, l.Max}} {
		var n int64
		if _, err := fmt.Sscanf(b.text, "%d", &n); err == nil && n != b.val {
			t.Errorf("bound %q in the text, %d in the limits", b.text, b.val)
		}
	}
}

func TestLookup(t *testing.T) {
	k, ok := Lookup("net.ipv4.tcp_tw_recycle")
	if !ok || k.Scope != ScopeRemoved || k.Removed != "4.12" || k.Global() {
		t.Errorf("tcp_tw_recycle: %+v %v, want removed in 4.12", k, ok)
	}
	if l, ok := k.Limits(); !ok || l != (Limits{Fields: 1, Min: 0, Max: 1}) {
		t.Errorf("tcp_tw_recycle limits %+v %v", l, ok)
	}
	if k, ok := Lookup("net.core.rmem_default"); !ok || !k.Global() || !k.ReadOnlyInChild() || k.Documented() {
		t.Errorf("rmem_default: %+v %v, want global, read-only in child namespaces and undocumented", k, ok)
	}
	for _, name := range []string{"net.core.rmem_max", "net.core.wmem_max", "net.core.wmem_default"} {
		if k, _ := Lookup(name); !k.Global() || !k.ReadOnlyInChild() {
			t.Errorf("%s: scope %s, want global-ro (docs/kernel-facts.md §12)", name, k.Scope)
		}
	}
	if k, _ := Lookup("net.ipv4.tcp_mem"); !k.Global() || k.ReadOnlyInChild() {
		t.Errorf("tcp_mem: scope %s, want global", k.Scope)
	}
	for _, name := range []string{"net/ipv4/tcp_fin_timeout", "tcp_fin_timeout", "net.ipv4.conf.eth0.rp_filter", ""} {
		if _, ok := Lookup(name); ok {
			t.Errorf("Lookup(%q) found a key; only dotted names are looked up", name)
		}
	}
	all := All()
	if !slices.IsSortedFunc(all, func(a, b Key) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("All is not sorted by name")
	}
	for _, k := range all {
		if got, ok := Lookup(k.Name); !ok || got.Name != k.Name {
			t.Errorf("Lookup(%s) = %v", k.Name, ok)
		}
	}
}

// TestScopeAgainstKernel asks the running kernel which keys a fresh network
// namespace lacks: every key of the table present in the initial namespace
// but not in a fresh one must be global. A global-ro key the fresh
// namespace shows must be read-only there (no write bit, as
// sysctl_core_net_init sets it); any other global key this kernel shows in
// every namespace is only logged: the scope follows Linux 6.1.
func TestScopeAgainstKernel(t *testing.T) {
	if os.Getenv(initKeysEnv) == "" {
		t.Setenv(initKeysEnv, strings.Join(presentKeys(), " "))
	}
	if !nstest.Enter(t) {
		return
	}
	inInit := strings.Fields(os.Getenv(initKeysEnv))
	for _, name := range inInit {
		k, _ := Lookup(name)
		st, err := os.Stat(keyPath(name))
		switch here := err == nil; {
		case !here && !k.Global():
			t.Errorf("%s exists only in the initial namespace, but its scope is %s", name, k.Scope)
		case here && k.ReadOnlyInChild() && st.Mode().Perm()&0o222 != 0:
			t.Errorf("%s is writable in a child namespace (mode %v), but its scope is %s", name, st.Mode().Perm(), k.Scope)
		case here && k.Global() && !k.ReadOnlyInChild():
			t.Logf("%s is global in Linux 6.1 but this kernel has it in every namespace", name)
		}
	}
	if len(inInit) < 50 {
		t.Fatalf("only %d keys found in the initial namespace", len(inInit))
	}
}

// initKeysEnv carries the keys the starting namespace has into the run
// inside the fresh namespace.
const initKeysEnv = "TCPAUDIT_TEST_SYSCTL_INIT_KEYS"

func keyPath(name string) string {
	return filepath.Join("/proc/sys", strings.ReplaceAll(name, ".", "/"))
}

// presentKeys lists the keys of the table this namespace has.
func presentKeys() []string {
	var out []string
	for _, k := range All() {
		if _, err := os.Stat(keyPath(k.Name)); err == nil {
			out = append(out, k.Name)
		}
	}
	return out
}

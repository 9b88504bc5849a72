package rules_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/rules"
)

// TestGlobalKeysAgainstKernel asks the running kernel which keys a fresh
// network namespace lacks: every key the rules read that exists in the
// initial namespace but not in this one must be classified global, so its
// absence reads "not visible in this network namespace" and never "not
// present on kernel". A key that child namespaces show read-only
// (rmem_max on 6.18) must have no write bit here; any other key classified
// global that this kernel gives every namespace is only logged: the
// classification follows Linux 6.1. The facts of this namespace must show a
// child namespace (rules.ChildNamespace).
func TestGlobalKeysAgainstKernel(t *testing.T) {
	if os.Getenv(initKeysEnv) == "" {
		// Still in the namespace the test started in: record what it has
		// for the run inside the fresh namespace, which inherits the
		// environment.
		t.Setenv(initKeysEnv, strings.Join(presentKeys(), " "))
	}
	if !nstest.Enter(t) {
		return
	}
	inInitNS := map[string]bool{}
	for _, k := range strings.Fields(os.Getenv(initKeysEnv)) {
		inInitNS[k] = true
	}
	checked := 0
	for _, key := range rules.NewEngine().Keys() {
		st, err := os.Stat(keyPath(key))
		here := err == nil
		inInit := inInitNS[key]
		switch {
		case inInit && !here && !rules.IsGlobalKey(key):
			t.Errorf("%s exists only in the initial namespace but is not classified global", key)
		case here && rules.ReadOnlyInChild(key) && st.Mode().Perm()&0o222 != 0:
			t.Errorf("%s is classified read-only in child namespaces but is writable here (%v)", key, st.Mode().Perm())
		case here && rules.IsGlobalKey(key) && !rules.ReadOnlyInChild(key):
			t.Logf("%s is classified global (Linux 6.1) but this kernel has it in every namespace", key)
		}
		if inInit {
			checked++
		}
	}
	if checked < 20 {
		t.Fatalf("only %d keys found in the initial namespace", checked)
	}
	fsys, err := audit.NewFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	_, absent, err := fsys.Sysctls(rules.NewEngine().Keys())
	if err != nil {
		t.Fatal(err)
	}
	if !rules.ChildNamespace(audit.NewFacts(audit.Facts{Absent: absent})) {
		t.Errorf("ChildNamespace is false in a fresh network namespace (absent keys: %v)", absent)
	}
}

// initKeysEnv carries the keys the starting namespace has into the run
// inside the fresh namespace.
const initKeysEnv = "TCPAUDIT_TEST_INIT_KEYS"

func keyPath(key string) string {
	return filepath.Join("/proc/sys", strings.ReplaceAll(key, ".", "/"))
}

// presentKeys lists the keys the rules read that this namespace has.
func presentKeys() []string {
	var out []string
	for _, key := range rules.NewEngine().Keys() {
		if _, err := os.Stat(keyPath(key)); err == nil {
			out = append(out, key)
		}
	}
	return out
}

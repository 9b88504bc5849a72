package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

// driftConfig is the sysctl configuration `check` compares the runtime
// values with (runtime-config-drift), or why there is none.
type driftConfig struct {
	conf   *sysctlconf.Config
	reason string
}

// loadDriftConfig resolves the sysctl.d tree: under sysctlRoot when given,
// else under / when the proc root is the live /proc; a snapshot's proc root
// without --sysctl-root has no tree to compare with.
func loadDriftConfig(procRoot, sysctlRoot string) (driftConfig, error) {
	if sysctlRoot == "" {
		if filepath.Clean(procRoot) != "/proc" {
			return driftConfig{reason: "no configuration tree: --proc-root is not /proc and no --sysctl-root was given"}, nil
		}
		sysctlRoot = "/"
	}
	c, err := sysctlconf.Resolve(sysctlRoot)
	if err != nil {
		return driftConfig{}, fmt.Errorf("--sysctl-root: %w", err)
	}
	if !hasConfigTree(sysctlRoot) {
		return driftConfig{reason: fmt.Sprintf("no sysctl.d directory or %s under %s", sysctlconf.LegacyFile, sysctlRoot)}, nil
	}
	return driftConfig{conf: c}, nil
}

func hasConfigTree(root string) bool {
	for _, d := range append([]string{sysctlconf.LegacyFile}, sysctlconf.Dirs...) {
		if _, err := os.Stat(filepath.Join(root, d)); err == nil {
			return true
		}
	}
	return false
}

// keys adds the configured keys to the keys Gather reads.
func (d driftConfig) keys(keys []string) []string {
	if d.conf == nil {
		return keys
	}
	for _, e := range d.conf.Entries {
		if !e.Glob() {
			keys = append(keys, e.Key)
		}
	}
	return keys
}

// attach returns f with the configured values of the keys f read, or the
// reason there are none.
func (d driftConfig) attach(f *audit.Facts) *audit.Facts {
	if d.conf == nil {
		return f.WithoutConfigured(d.reason)
	}
	keys := make([]string, 0, len(f.Sysctls))
	for k := range f.Sysctls {
		keys = append(keys, k)
	}
	configured := map[string]audit.Setting{}
	for k, e := range d.conf.Effective(keys) {
		configured[k] = audit.Setting{Value: e.Value, File: e.File, Line: e.Line}
	}
	return f.WithConfigured(configured)
}

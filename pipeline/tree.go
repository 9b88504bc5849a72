package pipeline

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/containers"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

// tree is the sysctl configuration the runtime values are compared with
// (runtime-config-drift), or the reason there is none.
type tree struct {
	// conf is the resolved tree, nil when none was resolved.
	conf *sysctlconf.Config
	// reason is set when there is no tree to compare with.
	reason string
}

// loadTree resolves the sysctl.d tree: under sysctlRoot when given, else
// under / when the proc root is the live /proc; a copied proc root without
// a sysctl root has no tree to compare with.
func loadTree(procRoot, sysctlRoot string) (tree, error) {
	if sysctlRoot == "" {
		if !audit.IsLive(procRoot) {
			return tree{reason: "no configuration tree: --proc-root is not /proc and no --sysctl-root was given"}, nil
		}
		sysctlRoot = "/"
	}
	c, err := sysctlconf.Resolve(sysctlRoot)
	if err != nil {
		return tree{}, err // it names the sysctl root
	}
	if !hasConfigTree(sysctlRoot) {
		return tree{conf: c, reason: fmt.Sprintf("no sysctl.d directory or %s under %s", sysctlconf.LegacyFile, sysctlRoot)}, nil
	}
	return tree{conf: c}, nil
}

func hasConfigTree(root string) bool {
	for _, d := range append([]string{sysctlconf.LegacyFile}, sysctlconf.Dirs...) {
		if _, err := os.Stat(filepath.Join(root, d)); err == nil {
			return true
		}
	}
	return false
}

// keys adds the keys the tree sets to the keys to gather under procRoot,
// each glob expanded to the keys it matches there as systemd-sysctl expands
// it when it applies the tree (net.ipv4.conf.*.rp_filter: every
// interface's), and leaving out what cannot be a sysctl there: an empty
// key, or one naming a directory (net.ipv4.conf = 1), which systemd-sysctl
// fails to write and lint reports; the audit compares only real keys.
func (t tree) keys(procRoot string, keys []string) []string {
	if t.reason != "" {
		return keys
	}
	for _, e := range t.conf.Entries {
		if e.Glob() {
			matched, _ := sysctlconf.Expand(filepath.Join(procRoot, "sys"), e.Key) // beyond the bound: the matches so far
			keys = append(keys, matched...)
			continue
		}
		if e.Key == "" {
			continue
		}
		st, err := os.Stat(filepath.Join(procRoot, "sys", sysctlconf.Path(e.Key)))
		if err == nil && !st.Mode().IsRegular() {
			continue
		}
		keys = append(keys, e.Key)
	}
	return keys
}

// inGuest returns the tree to compare f with, t being the tree under /:
// none when f is the live audit of a network namespace that is not the
// host's, read by a process that sees the host's files (ip netns exec,
// nsenter --net): the host's sysctl.d tree is applied to the host's
// namespace at boot, never to this one. A container with a root of its
// own keeps its tree, which its own systemd-sysctl applies to its
// namespace.
func (t tree) inGuest(f *audit.Facts) tree {
	if !audit.IsLive(f.ProcRoot) {
		return t
	}
	if _, why := guest(f); why != "" && containers.HostFiles(f.ProcRoot) {
		return tree{reason: "the sysctl.d tree applies to the host namespace only, and " + why}
	}
	return t
}

// attach returns f with what the tree sets for the keys f read, or with the
// reason there is no tree.
func (t tree) attach(f *audit.Facts) *audit.Facts {
	if t.reason != "" {
		return f.WithoutConfigured(t.reason)
	}
	configured := map[string]audit.Setting{}
	for k, e := range t.conf.Effective(slices.Collect(maps.Keys(f.Sysctls))) {
		configured[k] = audit.Setting{Value: e.Value, File: e.File, Line: e.Line}
	}
	return f.WithConfigured(configured)
}

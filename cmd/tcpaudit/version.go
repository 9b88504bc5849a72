package main

import (
	"path/filepath"
	"runtime/debug"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/pipeline"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// toolVersion is the version tcpaudit reports (version, --version, SARIF,
// the exporter's info metric, man pages): the one set at build time, else
// the module version `go install ...@VERSION` records in the binary, else
// "dev".
func toolVersion() string {
	info, ok := debug.ReadBuildInfo()
	return versionOf(version, info, ok)
}

// versionOf is the version of a binary built with ldflags as main.version
// and carrying info (ok false when it has none).
func versionOf(ldflags string, info *debug.BuildInfo, ok bool) string {
	if ldflags != "dev" || !ok || info == nil {
		return ldflags
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	return ldflags
}

// configuredFiles maps the keys the audit's sysctl.d tree sets to the file
// that sets them, as a path under the tree's root (a relative --sysctl-root
// gives paths relative to the working directory, as code scanning wants),
// and its line; nil when no tree was resolved.
func configuredFiles(a *pipeline.Audit) map[string]audit.Setting {
	if a.Sysctl == nil || a.Facts == nil || a.Facts.Configured == nil {
		return nil
	}
	out := make(map[string]audit.Setting, len(a.Facts.Configured))
	for k, set := range a.Facts.Configured {
		set.File = filepath.Join(a.Sysctl.Root, set.File)
		out[k] = set
	}
	return out
}

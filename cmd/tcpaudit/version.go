package main

import "runtime/debug"

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

package main

import (
	"path/filepath"
	"testing"
)

// TestCheckSaysCensusSource checks that the report's sources name the
// census source: on the live host "netlink" (and not net/tcp, which was not
// read), with --source proc or a fixture proc root net/tcp and net/tcp6 and
// no netlink entry.
func TestCheckSaysCensusSource(t *testing.T) {
	_, live := checkJSON(t, "--fail-on", "never")
	read := live.readSources()
	if ok, tried := read["netlink"]; !tried {
		t.Errorf("live check: sources %+v lack netlink", live.Sources)
	} else if ok {
		if _, listed := read["net/tcp"]; listed {
			t.Errorf("live check over netlink lists net/tcp as a source: %+v", live.Sources)
		}
	}
	for name, args := range map[string][]string{
		"--source proc": {"--source", "proc"},
		"fixture":       {"--proc-root", filepath.Join(hostsDir, "healthy")},
	} {
		_, r := checkJSON(t, append(args, "--fail-on", "never")...)
		read := r.readSources()
		if _, tried := read["netlink"]; tried || !read["net/tcp"] || !read["net/tcp6"] {
			t.Errorf("%s: sources %+v; want net/tcp and net/tcp6 read and no netlink", name, r.Sources)
		}
	}
}

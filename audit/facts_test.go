package audit_test

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
)

// TestEmptyFactsReadNothing: facts nothing gathered claim no source.
func TestEmptyFactsReadNothing(t *testing.T) {
	var f audit.Facts
	for _, s := range audit.Sources() {
		if f.Has(s.Source) {
			t.Errorf("empty Facts: Has(%s) = true", s.Source)
		}
		if why, ok := f.NotRead(s.Source); ok || why != "" {
			t.Errorf("empty Facts: NotRead(%s) = %q, %v; want nothing recorded", s.Source, why, ok)
		}
	}
}

// TestNewFactsRecordsOnlyGivenSources records exactly the sources named.
func TestNewFactsRecordsOnlyGivenSources(t *testing.T) {
	f := audit.NewFacts(audit.Facts{Sysctls: map[string]string{"k": "1"}}, audit.SourceNetstat)
	for _, s := range audit.Sources() {
		if got := f.Has(s.Source); got != (s.Source == audit.SourceNetstat) {
			t.Errorf("Has(%s) = %v", s.Source, got)
		}
	}
	if v, ok := f.Sysctl("k"); !ok || v != "1" {
		t.Errorf("Sysctl(k) = %q, %v", v, ok)
	}
	again := audit.NewFacts(*f)
	if again.Has(audit.SourceNetstat) {
		t.Error("NewFacts kept the record of the facts it copied")
	}
}

// TestSysctlFacts records every other source as not read by lint.
func TestSysctlFacts(t *testing.T) {
	f := audit.SysctlFacts(map[string]string{"net.ipv4.tcp_fin_timeout": "60"}, map[string]error{"x": fs.ErrNotExist})
	for _, s := range audit.Sources() {
		why, ok := f.NotRead(s.Source)
		if f.Has(s.Source) || !ok || why != "not read by lint" {
			t.Errorf("%s: Has %v, NotRead %q, %v", s.Source, f.Has(s.Source), why, ok)
		}
	}
	if _, ok := f.Sysctl("net.ipv4.tcp_fin_timeout"); !ok || f.Absent["x"] == nil {
		t.Errorf("sysctls %v, absent %v", f.Sysctls, f.Absent)
	}
}

// TestWithConfiguredReturnsNewFacts leaves the facts it starts from as
// they were.
func TestWithConfiguredReturnsNewFacts(t *testing.T) {
	f, err := audit.Gather(audit.Options{ProcRoot: gatherRoot, Keys: gatherKeys})
	if err != nil {
		t.Fatal(err)
	}
	before := notRead(f)
	set := map[string]audit.Setting{"net.core.somaxconn": {Value: "1024", File: "/etc/sysctl.conf", Line: 1}}
	with := f.WithConfigured(set)
	if !with.Has(audit.SourceConfig) || with.Configured["net.core.somaxconn"].Value != "1024" {
		t.Errorf("WithConfigured: Has %v, configured %v", with.Has(audit.SourceConfig), with.Configured)
	}
	without := with.WithoutConfigured("no configuration tree")
	if why, ok := without.NotRead(audit.SourceConfig); without.Has(audit.SourceConfig) || !ok || why != "no configuration tree" || without.Configured != nil {
		t.Errorf("WithoutConfigured: Has %v, NotRead %q %v, configured %v", without.Has(audit.SourceConfig), why, ok, without.Configured)
	}
	if f.Has(audit.SourceConfig) || f.Configured != nil || !maps.Equal(before, notRead(f)) {
		t.Errorf("the original facts changed: Has(sysctl.d) %v, configured %v, not read %v", f.Has(audit.SourceConfig), f.Configured, notRead(f))
	}
	if !with.Has(audit.SourceConfig) {
		t.Error("WithoutConfigured changed the facts it started from")
	}
}

// TestNewFSRejectsBadRoots names the root in the error.
func TestNewFSRejectsBadRoots(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "nope")
	for _, root := range []string{missing, file} {
		_, err := audit.NewFS(root)
		if err == nil || !strings.Contains(err.Error(), root) {
			t.Errorf("NewFS(%s) = %v, want an error naming it", root, err)
		}
	}
	if _, err := audit.NewFS(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("NewFS of a missing root: %v, want fs.ErrNotExist", err)
	}
}

// TestFSMissingFiles: each method reports a missing file as fs.ErrNotExist,
// and a two-file source returns what the other file holds.
func TestFSMissingFiles(t *testing.T) {
	empty := newFS(t, t.TempDir())
	if _, err := empty.Release(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Release: %v", err)
	}
	if _, err := empty.Sysctl("net.core.somaxconn"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Sysctl: %v", err)
	}
	if _, _, err := empty.PortRange(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("PortRange: %v", err)
	}
	if _, err := empty.Census(audit.NewCensus(1, 0), audit.CensusProc); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Census: %v", err)
	}
	fixture := newFS(t, gatherRoot)
	s, err := fixture.Sockstat()
	var me *audit.MissingError
	if !errors.As(err, &me) || len(me.Sources) != 1 || me.Sources[audit.SourceSockstat6] == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Sockstat without sockstat6: %v, want a *MissingError naming net/sockstat6", err)
	}
	if _, ok := s.Get("TCP", "tw"); !ok {
		t.Errorf("Sockstat without sockstat6 lost net/sockstat: %v", s)
	}
	if c, err := fixture.Counters(); err != nil || len(c) == 0 {
		t.Errorf("Counters: %d sections, %v", len(c), err)
	}
	info, err := fixture.Census(audit.NewCensus(1, 0), audit.CensusProc)
	if err != nil || info.Source != audit.CensusProc || len(info.Missing) != 1 || info.Missing[audit.SourceTCP6] == nil {
		t.Errorf("Census without net/tcp6: %+v, %v", info, err)
	}
}

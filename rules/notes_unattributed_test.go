package rules_test

import (
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// TestUnattributedNotes: sockets of processes that could not be read are
// "run as root" advice only when the scan did not run as root; as root the
// note says even root was denied.
func TestUnattributedNotes(t *testing.T) {
	cfg, err := profiles.Load("baseline")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		root bool
		want string
	}{
		{false, "2 CLOSE_WAIT sockets not attributed: run as root (1 process could not be read)"},
		{true, "2 CLOSE_WAIT sockets not attributed: no process that could be read holds them; 1 process could not be read, even as root"},
	} {
		f := audit.NewFacts(audit.Facts{ProcRoot: "/proc",
			Owners: &audit.Attribution{Unattributed: 2, Unreadable: 1, Root: tc.root}}, audit.SourceProcesses)
		res := rules.NewEngine().Evaluate(f, cfg)
		if !strings.Contains(strings.Join(res.Notes, "\n"), tc.want) {
			t.Errorf("root %v: notes %q, want %q", tc.root, res.Notes, tc.want)
		}
	}
}

// TestClosedBeforeAttributedNote: CLOSE_WAIT sockets gone by the end of the
// scan closed before they could be attributed; no process is blamed.
func TestClosedBeforeAttributedNote(t *testing.T) {
	cfg, err := profiles.Load("baseline")
	if err != nil {
		t.Fatal(err)
	}
	f := audit.NewFacts(audit.Facts{ProcRoot: "/proc", Owners: &audit.Attribution{Closed: 3, Root: true}}, audit.SourceProcesses)
	notes := strings.Join(rules.NewEngine().Evaluate(f, cfg).Notes, "\n")
	if !strings.Contains(notes, "3 CLOSE_WAIT sockets closed before they could be attributed") || strings.Contains(notes, "could not be read") {
		t.Errorf("notes %q", notes)
	}
}

// TestUnacceptedNote: CLOSE_WAIT sockets still in accept queues are said
// to be there when owners were looked up.
func TestUnacceptedNote(t *testing.T) {
	cfg, err := profiles.Load("baseline")
	if err != nil {
		t.Fatal(err)
	}
	c := audit.NewCensus(1, 0)
	c.Unaccepted = 3
	f := audit.NewFacts(audit.Facts{ProcRoot: "/proc", Census: c, Owners: &audit.Attribution{Root: true}}, audit.SourceProcesses)
	notes := strings.Join(rules.NewEngine().Evaluate(f, cfg).Notes, "\n")
	if !strings.Contains(notes, "3 CLOSE_WAIT sockets are in listeners' accept queues, not yet accepted") {
		t.Errorf("notes %q", notes)
	}
}

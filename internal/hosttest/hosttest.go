// Package hosttest evaluates the rules on a proc tree, the common first
// step of the tests that check an output against the audit of a fixture
// host or a snapshot.
package hosttest

import (
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// Evaluate gathers the facts engine needs under procRoot, with the census
// from census ("" for auto), and evaluates the baseline profile.
func Evaluate(t testing.TB, procRoot string, engine rules.Engine, census audit.CensusSource) rules.Result {
	t.Helper()
	cfg, err := profiles.Load("baseline")
	if err != nil {
		t.Fatal(err)
	}
	f, err := audit.Gather(audit.Options{ProcRoot: procRoot, Keys: engine.Keys(), Census: census})
	if err != nil {
		t.Fatal(err)
	}
	return engine.Evaluate(f, cfg)
}

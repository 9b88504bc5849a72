// Package hosttest runs the audit pipeline on a proc tree, the common first
// step of the tests that check an output against the audit of a fixture
// host or a snapshot.
package hosttest

import (
	"context"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/rules"
)

// Evaluate audits procRoot with the rules of engine and the baseline
// profile, with the census from census ("" for auto).
func Evaluate(t testing.TB, procRoot string, engine rules.Engine, census audit.CensusSource) rules.Result {
	t.Helper()
	a, err := pipeline.Run(context.Background(), pipeline.Options{
		ProcRoot: procRoot,
		Census:   census,
		Profile:  "baseline",
		Rules:    engine.Rules,
	})
	if err != nil {
		t.Fatal(err)
	}
	return a.Result
}

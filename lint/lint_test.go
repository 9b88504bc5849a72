package lint

import (
	"encoding/json"
	"flag"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/internal/golden"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// badTree lints testdata/lint/bad at the top of the module, a root whose every line is wrong in its own
// way, against testdata/proc.
func badTree(t *testing.T) rules.Result {
	t.Helper()
	return lintPaths(t, filepath.Join("testdata", "proc"), filepath.Join("..", "testdata", "lint", "bad"))
}

// TestRunGolden: the whole result on testdata/lint/bad: findings with their
// texts, in severity order, the evaluations and the files read.
func TestRunGolden(t *testing.T) {
	b, err := json.MarshalIndent(badTree(t), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Compare(t, filepath.Join("testdata", "golden", "bad.json"), append(b, '\n'), *update, golden.JSON)
}

// TestRunEvaluations: one evaluation per check in the order of Checks,
// failed where the check found something, passed elsewhere; findings most
// severe first.
func TestRunEvaluations(t *testing.T) {
	clean := writeTree(t, map[string]string{"a.conf": "net.ipv4.tcp_fin_timeout = 30\n"})
	for _, c := range []struct {
		res  rules.Result
		want rules.Status
	}{
		{badTree(t), rules.Failed},
		{lintPaths(t, procSys(t, "net.ipv4.tcp_fin_timeout"), clean), rules.Passed},
	} {
		var got, want []rules.Evaluation
		for _, ch := range Checks() {
			want = append(want, rules.Evaluation{Rule: ch.Rule.ID, Title: ch.Rule.Title, Category: rules.Hardening, Status: c.want})
		}
		got = c.res.Evaluations
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("evaluations (-want +got):\n%s", d)
		}
		if !slices.IsSortedFunc(c.res.Findings, func(a, b rules.Finding) int { return int(b.Severity - a.Severity) }) {
			t.Errorf("findings not in severity order: %v", summary(t, c.res, ""))
		}
		if c.res.Command != "lint" || c.res.Profile != profiles.Default {
			t.Errorf("command %q, profile %q", c.res.Command, c.res.Profile)
		}
	}
}

// TestTwRecycleOneText: lint-removed-key explains tcp_tw_recycle with the
// words of the rule tw-recycle-enabled.
func TestTwRecycleOneText(t *testing.T) {
	var rule string
	for _, r := range rules.Catalog() {
		if r.ID == "tw-recycle-enabled" {
			rule = r.Explanation
		}
	}
	dir := writeTree(t, map[string]string{"a.conf": "net.ipv4.tcp_tw_recycle = 1\n"})
	res := lintPaths(t, procSys(t), dir)
	if len(res.Findings) != 1 || res.Findings[0].Rule != "lint-removed-key" {
		t.Fatalf("findings %v, want one lint-removed-key", summary(t, res, dir))
	}
	if got := res.Findings[0].Explanation; rule == "" || got != rule {
		t.Errorf("lint explains tcp_tw_recycle as\n%s\nthe rule as\n%s", got, rule)
	}
}

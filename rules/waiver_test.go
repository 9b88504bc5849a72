package rules_test

import (
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

func day(s string) time.Time {
	t, err := time.Parse(rules.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestWaiverExpiry evaluates the same failing host with one waiver on
// three dates: before and on its last day the finding is waived and does
// not count; the day after it counts again and the waiver itself warns.
func TestWaiverExpiry(t *testing.T) {
	cfg, err := profiles.Load("hardened")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Waivers = []rules.Waiver{{Rule: "rfc1337-disabled", Reason: "vendor appliance, ticket OPS-7", Expires: day("2026-06-30"), Source: "cfg.yaml:4"}}
	for _, c := range []struct {
		today       string
		waived      bool
		expiredWarn bool
	}{
		{"2026-01-01", true, false},
		{"2026-06-30", true, false},
		{"2026-07-01", false, true},
	} {
		cfg.Today = day(c.today)
		res := rules.NewEngine().Evaluate(gatherHost(t, "hardening-fail"), cfg)
		var waived, expired, plain int
		for _, f := range res.Findings {
			if f.Rule != "rfc1337-disabled" {
				continue
			}
			switch {
			case f.Waived != "":
				waived++
			case f.Location != nil && f.Location.File == "cfg.yaml" && f.Location.Line == 4:
				expired++
				if f.Severity != rules.Warning {
					t.Errorf("%s: expired waiver severity %s, want warning", c.today, f.Severity)
				}
			default:
				plain++
			}
		}
		if (waived == 1) != c.waived || (expired == 1) != c.expiredWarn || (plain == 1) == c.waived {
			t.Errorf("%s: %d waived, %d expired-waiver, %d unwaived findings", c.today, waived, expired, plain)
		}
	}
}

// TestWaivedFindingsDoNotCount: Worst ignores waived findings.
func TestWaivedFindingsDoNotCount(t *testing.T) {
	cfg, err := profiles.Load("baseline")
	if err != nil {
		t.Fatal(err)
	}
	f := gatherHost(t, "hardening-fail")
	plain := rules.NewEngine().Evaluate(f, cfg)
	if w := plain.Worst(); w != rules.Warning {
		t.Fatalf("unwaived worst %s, want warning", w)
	}
	for _, finding := range plain.Findings {
		cfg.Waivers = append(cfg.Waivers, rules.Waiver{Rule: finding.Rule, Reason: "lab host", Expires: day("2030-01-01"), Source: "x:1"})
	}
	cfg.Today = day("2026-01-01")
	res := rules.NewEngine().Evaluate(f, cfg)
	if w := res.Worst(); w != 0 {
		t.Errorf("worst %s with every finding waived, want none: %+v", w, res.Findings)
	}
}

package lint

import (
	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

func syntax() Check {
	return Check{
		Rule: rules.Rule{
			ID:       "lint-syntax",
			Title:    "Lines the tools ignore, reject or read other than meant",
			Category: rules.Hardening,
			Severity: rules.Warning,
			Explanation: "Reports lines systemd-sysctl or procps sysctl ignores, rejects or reads other than meant: " +
				"a line without '=', an inline '#' that becomes part of the value, a byte order mark, an interface " +
				"name with a dot written with '.' (eth0.1 instead of eth0/1), a file that cannot be read.",
		},
		Run: func(in *Input) []rules.Finding { return in.diagnostics(sysctlconf.CodeSyntax) },
	}
}

func procpsSystemdDifference() Check {
	return Check{
		Rule: rules.Rule{
			ID:       "lint-procps-systemd-difference",
			Title:    "Lines and files procps and systemd-sysctl treat differently",
			Category: rules.Hardening,
			Severity: rules.Warning,
			Explanation: "Reports lines and files procps sysctl --system and systemd-sysctl treat differently, " +
				"such as /etc/sysctl.conf, which procps reads last and systemd-sysctl reads only through a " +
				"sysctl.d link: a setting there applies only where procps applies it.",
		},
		Run: func(in *Input) []rules.Finding { return in.diagnostics(sysctlconf.CodeDifference) },
	}
}

var diagSeverity = map[sysctlconf.Severity]rules.Severity{
	sysctlconf.SeverityError: rules.Critical, sysctlconf.SeverityWarning: rules.Warning, sysctlconf.SeverityInfo: rules.Info,
}

// diagnostics turns the parser's diagnostics with code into findings.
func (in *Input) diagnostics(code string) []rules.Finding {
	var out []rules.Finding
	for _, d := range in.Tree.Config.Diagnostics {
		if d.Code != code {
			continue
		}
		out = append(out, rules.Finding{
			Severity: diagSeverity[d.Severity], Title: d.Message,
			Observed: fileLine(d.File, d.Line), Expected: "a line both systemd-sysctl and procps read as meant",
			Explanation: "sysctl.d lines are read by systemd-sysctl at boot and by procps sysctl --system or -p; " +
				"neither has inline comments, continuation lines or quoting, and they differ in the details named here.",
			Location: &rules.Location{File: d.File, Line: d.Line},
		})
	}
	return out
}

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
		switch {
		case d.Code != code:
		case unreadable(d):
			out = append(out, in.unreadableFile(d))
		default:
			out = append(out, rules.Finding{
				Severity: diagSeverity[d.Severity], Title: d.Message,
				Observed: fileLine(d.File, d.Line), Expected: "a line both systemd-sysctl and procps read as meant",
				Explanation: "sysctl.d lines are read by systemd-sysctl at boot and by procps sysctl --system or -p; " +
					"neither has inline comments, continuation lines or quoting, and they differ in the details named here.",
				Location: &rules.Location{File: d.File, Line: d.Line},
			})
		}
	}
	return out
}

// unreadable reports a diagnostic about a file or directory that could not
// be read at all: an error that concerns no line.
func unreadable(d sysctlconf.Diagnostic) bool {
	return d.Severity == sysctlconf.SeverityError && d.Line == 0
}

// unreadableFile is the finding for a file that cannot be read. Observed
// names it as Location does, as the user can open it.
func (in *Input) unreadableFile(d sysctlconf.Diagnostic) rules.Finding {
	return rules.Finding{
		Severity: diagSeverity[d.Severity], Title: d.Message,
		Observed: in.Tree.host(d.File), Expected: "a regular file, or a symlink to one, that systemd-sysctl and procps can read",
		Explanation: "The file cannot be read, so none of its settings apply. systemd-sysctl lists every *.conf name " +
			"and opens it: a symlink loop or a file it may not read is logged (\"Failed to open file\") and " +
			"systemd-sysctl exits 1 after applying the other files; opening a FIFO waits for a writer, so the boot " +
			"waits on it. Make it a regular file, point the link at one, or remove it.",
		Location: &rules.Location{File: d.File},
	}
}

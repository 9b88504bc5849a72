package sysctlconf

import "fmt"

// Severity of a diagnostic.
type Severity string

// Diagnostic severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Diagnostic codes, the lint checks they feed.
const (
	// CodeSyntax: a line the tools ignore, reject or read other than meant.
	CodeSyntax = "syntax"
	// CodeDifference: a line or file procps and systemd-sysctl treat
	// differently.
	CodeDifference = "procps-systemd-difference"
)

// Diagnostic is a problem found in a file, at a line when Line > 0.
type Diagnostic struct {
	File     string
	Line     int
	Severity Severity
	Code     string
	Message  string
}

// Error makes a diagnostic usable as an error: "file:line: message".
func (d Diagnostic) Error() string {
	if d.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", d.File, d.Line, d.Message)
	}
	return fmt.Sprintf("%s: %s", d.File, d.Message)
}

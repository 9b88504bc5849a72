package report

import (
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/rules"
)

// TestNamespaceSummaryAgreement: the summary line counts the namespaces
// skipped for each reason, in the number it counts: "1 gone: its
// processes exited before it could be entered", "4 gone: their processes
// exited before they could be entered".
func TestNamespaceSummaryAgreement(t *testing.T) {
	nss := []rules.Namespace{{ID: netns.HostID}, {Skipped: netns.SkippedDenied}}
	for range 4 {
		nss = append(nss, rules.Namespace{Skipped: netns.SkippedGone})
	}
	got := namespaceSummary(nss)
	for _, want := range []string{
		"1 network namespace audited, 5 skipped (",
		"4 gone: their processes exited before they could be entered",
		"1 permission denied entering it (setns",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("want %q in %q", want, got)
		}
	}
	if strings.Contains(got, "4 gone: its") {
		t.Errorf("number disagrees: %q", got)
	}
}

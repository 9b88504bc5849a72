package report

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/rules"
)

// TestNetnsSelectSeverityFirst: under the series bound, a namespace with one
// critical finding outranks namespaces with several info findings and more
// sockets; a waived finding ranks nothing.
func TestNetnsSelectSeverityFirst(t *testing.T) {
	var nss []rules.Namespace
	var findings []rules.Finding
	add := func(id string, sockets int, sevs ...rules.Severity) {
		nss = append(nss, rules.Namespace{ID: id, Identity: netns.Identity{Kind: netns.KindPod, Name: id},
			Sockets: &rules.Sockets{Total: sockets}})
		for i, s := range sevs {
			findings = append(findings, rules.Finding{Rule: fmt.Sprintf("r%d", i), Severity: s, Namespace: id})
		}
	}
	add("infos", 5000, rules.Info, rules.Info, rules.Info)
	add("warn", 10, rules.Warning)
	add("crit", 10, rules.Critical)
	add("warn2", 10, rules.Warning, rules.Warning, rules.Info)
	add("waived", 9000, rules.Critical)
	findings[len(findings)-1].Waived = "accepted"
	got := NetnsBound{MinSockets: 100000, MaxSeries: 3}.Select(nss, findings)
	var ids []string
	for _, n := range got {
		ids = append(ids, n.ID)
	}
	if want := []string{"crit", "warn2", "warn"}; !slices.Equal(ids, want) {
		t.Errorf("selected %v, want %v", ids, want)
	}
}

package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

const closeWaitWhy = `CLOSE_WAIT means the peer has closed its side of the connection (its FIN ` +
	`arrived) and the kernel is waiting for the local application to call close(). ` +
	`CLOSE_WAIT has no timeout of its own, and no sysctl applies to an idle CLOSE_WAIT ` +
	`socket: it stays until the application closes it. Only per-socket mechanisms end ` +
	`it otherwise: keepalive probes (SO_KEEPALIVE) that go unanswered or draw a reset, and ` +
	`writes that time out (tcp_retries2, TCP_USER_TIMEOUT) or draw a reset. A pile of ` +
	`CLOSE_WAIT sockets is an application ` +
	`bug, usually a connection that is never closed on some path (an error branch, a ` +
	`pool that keeps dead connections). No sysctl fixes it: tcp_fin_timeout and ` +
	`tcp_tw_reuse act on other states.`

func closeWaitAccumulation() Rule {
	return Rule{
		ID:       "close-wait-accumulation",
		Title:    "Sockets accumulate in CLOSE_WAIT",
		Category: Lifecycle,
		Severity: Warning,
		Needs:    []audit.Source{audit.SourceSockets},
		Params: []Param{
			{Name: "warning", Kind: IntParam, Doc: "CLOSE_WAIT sockets at which a warning is raised"},
			{Name: "critical", Kind: IntParam, Doc: "CLOSE_WAIT sockets at which the finding is critical"},
			{Name: "top", Kind: IntParam, Doc: "owning processes, and stuck sockets (at most 64, the longest idle), to name"},
			{Name: "stuck_after", Kind: IntParam, Doc: "seconds without data (tcp_info last_data_recv) after which a CLOSE_WAIT socket is stuck"},
		},
		Explanation: closeWaitWhy,
		References: []string{
			"RFC 9293 §3.3.2 (state diagram)",
			"docs/kernel-facts.md §2 (states), §17 (what ends CLOSE_WAIT)",
		},
		Check: checkCloseWait,
	}
}

func checkCloseWait(f *audit.Facts, p Params) []Finding {
	n := int64(f.Census.Count(audit.CloseWait))
	if n < p.Int("warning") {
		return nil
	}
	sev := Warning
	if n >= p.Int("critical") {
		sev = Critical
	}
	top, observed := closeWaitOwners(f, p, n)
	ev := Evidence{"count": float64(n), "threshold": float64(p.Int("warning"))}
	stuck := stuckSockets(f, p, ev)
	if s := f.Sampling; s != nil {
		observed += fmt.Sprintf("; %s of them stayed in CLOSE_WAIT through all %d samples over %s (stuck: not closed by the application)",
			s.StuckCount(), s.Samples, s.Elapsed.Round(time.Millisecond))
	}
	observed += idleText(f, ev, stuck)
	title := fmt.Sprintf("%d sockets in CLOSE_WAIT: the application has not closed them", n)
	if k := int64(ev["stuck"]); k > 0 {
		title = fmt.Sprintf("%d of %d sockets in CLOSE_WAIT are stuck: the application does not close them", k, n)
		// tcp_info is kept for the longest idle only: when every one of
		// those is stuck, the others were not looked at.
		switch s := f.Sampling; {
		case s == nil && k == int64(len(f.CloseWaitInfo)) && k < n:
			title = fmt.Sprintf("at least %d of %d sockets in CLOSE_WAIT are stuck (the %d longest idle were examined): the application does not close them", k, n, k)
		case s != nil && s.StuckCloseWait.Beyond > 0:
			title = fmt.Sprintf("at least %d of %d sockets in CLOSE_WAIT are stuck (the %d with the smallest inodes were followed through the samples): the application does not close them", k, n, audit.AttributionBatch)
		}
	}
	return []Finding{{
		Severity:    sev,
		Evidence:    ev,
		Subjects:    append(ownerSubjects(top, audit.CloseWait.String()), stuck...),
		Title:       title,
		Observed:    observed,
		Expected:    fmt.Sprintf("fewer than %d sockets in CLOSE_WAIT", p.Int("warning")),
		Explanation: closeWaitWhy,
		Fix: Fix{Advice: "Fix the application: find the code path that does not close() the " +
			"connection after the peer has closed it (read returned 0 / EOF), and close it there. " +
			"Restarting the process frees the sockets but not the bug.", Processes: top},
	}}
}

// closeWaitOwners returns the top owners of the CLOSE_WAIT sockets and the
// observation naming them: "231 sockets in CLOSE_WAIT: pid 2214 (java)
// holds 150; 2 more processes hold 80; 1 not attributed".
func closeWaitOwners(f *audit.Facts, p Params, n int64) ([]audit.Owner, string) {
	observed := fmt.Sprintf("%d sockets in CLOSE_WAIT", n)
	if f.Owners == nil {
		return nil, observed
	}
	top := f.Owners.Owners[:min(len(f.Owners.Owners), int(p.Int("top")))]
	var owners []string
	for _, o := range top {
		owners = append(owners, ownerLine(o))
	}
	if rest := f.Owners.Owners[len(top):]; len(rest) > 0 {
		held := 0
		for _, o := range rest {
			held += o.Sockets
		}
		verb := "hold"
		if len(rest) == 1 {
			verb = "holds"
		}
		owners = append(owners, fmt.Sprintf("%s %s %d", plural(len(rest), "more process"), verb, held))
	}
	if f.Owners.Unattributed > 0 {
		owners = append(owners, fmt.Sprintf("%d not attributed", f.Owners.Unattributed))
	}
	if len(owners) > 0 {
		observed += ": " + strings.Join(owners, "; ")
	}
	return top, observed
}

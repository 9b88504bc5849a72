package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/watch"
)

// WatchText writes the report of `tcpaudit watch` a person reads: the
// rates, the time spent per state, the rankings, then the findings.
type WatchText struct {
	// Color enables ANSI colour; it never touches color.NoColor.
	Color bool
}

// Write renders r, its process names and addresses escaped.
func (t WatchText) Write(w io.Writer, r watch.Report) error {
	r = escaped(r)
	p := Text(t).palette()
	ew := &errWriter{w: w}
	ew.printf("%s\n", p.bold.Sprint(watchHeader(r)))
	if r.Note != "" {
		ew.printf("%s\n", wrap(r.Note, "note: ", "      "))
	}
	for _, n := range r.Namespaces {
		if n.Unread != "" {
			ew.printf("%s\n", wrap(fmt.Sprintf("the keys of namespace %s were not read (%s): its rows have no share of a range and no orphan hold", n.ID, n.Unread), "note: ", "      "))
		}
	}
	if r.TimeWaitUnlisted > 0 {
		ew.printf("%s\n", wrap(fmt.Sprintf("%d of the %d TIME_WAIT entries created are in no row by process or destination: the kernel's map of those keys was full and evicted them (a connection accepted and closed first by this host is a key of its own, its client's port); the totals are exact", r.TimeWaitUnlisted, r.TimeWaitCreated.Count), "note: ", "      "))
	}
	if r.MissedEvents > 0 {
		ew.printf("%s\n", wrap(fmt.Sprintf("%d events were lost to the tracing programs (the kernel skipped a program already running on that CPU, or refused a map write under a lock the interrupted one held): the counts below may be low by as many", r.MissedEvents), "note: ", "      "))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	ns := watchNamespaces(r)
	section(tw, "TRANSITIONS", []string{"FROM", "TO", "COUNT", "PER S"}, r.Transitions, func(x watch.TransitionRate) []any {
		return []any{x.From, x.To, x.Count, perS(x.PerS)}
	})
	if r.Source == watch.FromBPF {
		nc := r.NewConnections
		fmt.Fprintf(tw, "\nNEW CONNECTIONS\tactive %d (%s/s)\tpassive %d (%s/s)\n", nc.Active.Count, perS(nc.Active.PerS), nc.Passive.Count, perS(nc.Passive.PerS))
	}
	if c := r.TimeWaitCreated; c.Count > 0 {
		limit := "" // every namespace watched: each has its own limit
		if r.MaxTWBuckets > 0 {
			limit = fmt.Sprintf(" (tcp_max_tw_buckets %d)", r.MaxTWBuckets)
		}
		fmt.Fprintf(tw, "\nTIME_WAIT CREATED\t%d (%s/s): %.0f entries at this rate%s\n", c.Count, perS(c.PerS), c.PerS*60, limit)
	}
	section(tw, "STATE COUNTS (SAMPLED)", []string{"STATE", "FIRST", "LAST", "PER S"}, r.StateChanges, func(x watch.StateChange) []any {
		return []any{x.State, x.First, x.Last, perS(x.PerS)}
	})
	section(tw, "TIME IN STATE", []string{"STATE", "LEFT", "P50", "P90", "P99", "MAX"}, r.TimeInState, func(x watch.StateTime) []any {
		return []any{x.State, x.Count, seconds(x.P50S), seconds(x.P90S), seconds(x.P99S), seconds(x.MaxS)}
	})
	section(tw, "LONGEST IN CLOSE_WAIT AND FIN_WAIT2", ns.header("STATE", "AGE", "PID", "COMMAND", "LOCAL", "REMOTE"), r.Longest, func(x watch.LongLived) []any {
		return ns.row(x.Netns, x.State, seconds(x.AgeS), x.PID, x.Command, x.Local, x.Remote)
	})
	section(tw, "TIME_WAIT CREATED BY PROCESS", ns.header("PID", "COMMAND", "COUNT", "PER S"), r.TimeWaitByProcess, func(x watch.ProcessRate) []any {
		return ns.row(x.Netns, x.PID, x.Command, x.Count, perS(x.PerS))
	})
	section(tw, "TIME_WAIT BY DESTINATION", ns.header("DESTINATION", "COUNT", "PER S", "ORPHANED FIN_WAIT2", "PORTS HELD AT THIS RATE", "SHARE OF RANGE"), r.TimeWaitByDestination, func(x watch.Projection) []any {
		var orphans uint64
		if x.Orphaned != nil {
			orphans = x.Orphaned.Count
		}
		share := "? (range not read)"
		if x.PortRange.Size() > 0 {
			share = fmt.Sprintf("%.1f%%", x.Share*100)
		}
		return ns.row(x.Netns, x.Destination, x.Count, perS(x.PerS), orphans, x.PortsHeld, share)
	})
	section(tw, "RSTS BY PEER", ns.header("PEER", "SENT", "RECEIVED", "PER S"), r.Resets, func(x watch.PeerResets) []any {
		return ns.row(x.Netns, x.Peer, x.Sent.Count, x.Received.Count, perS(x.Sent.PerS+x.Received.PerS))
	})
	section(tw, "SYN-ACK RETRANSMITS BY LISTENER", ns.header("LISTENER", "COUNT", "PER S"), r.SynAckRetransmits, func(x watch.EndpointRate) []any {
		return ns.row(x.Netns, x.Endpoint, x.Count, perS(x.PerS))
	})
	section(tw, "RETRANSMITS BY DESTINATION", ns.header("DESTINATION", "COUNT", "PER S"), r.Retransmits, func(x watch.EndpointRate) []any {
		return ns.row(x.Netns, x.Endpoint, x.Count, perS(x.PerS))
	})
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, found := range ns.groups(r.Findings) {
		if ns.all {
			ew.printf("\n%s\n", p.bold.Sprint(ns.heading(found[0].Namespace)))
		}
		for _, f := range found {
			Text(t).finding(ew, p, f)
		}
	}
	status := p.ok.Sprint("OK")
	if worst := (rules.Result{Findings: r.Findings}).Worst(); worst > 0 {
		status = p.severity(worst).Sprint(strings.ToUpper(worst.String()))
	}
	ew.printf("\n%s %s\n", status, plural(len(r.Findings), "finding"))
	return ew.err
}

func watchHeader(r watch.Report) string {
	src := "kernel tracepoints (BPF)"
	if r.Source == watch.FromSample {
		src = "sampled socket census"
	}
	ns := "every network namespace"
	switch {
	case r.Watched != nil:
		ns = "network namespace " + namespaceLabel(rules.Namespace{ID: r.Watched.ID, Identity: r.Watched.Identity})
	case r.Netns != 0:
		ns = fmt.Sprintf("network namespace %d", r.Netns)
	}
	return fmt.Sprintf("tcpaudit watch: %.1f s of %s, %s", r.ElapsedS, src, ns)
}

// section writes a titled table of rows, nothing when there are none.
func section[T any](w io.Writer, title string, header []string, rows []T, cells func(T) []any) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s\n%s\n", title, strings.Join(header, "\t"))
	for _, r := range rows {
		var s []string
		for _, c := range cells(r) {
			s = append(s, fmt.Sprint(c))
		}
		fmt.Fprintln(w, strings.Join(s, "\t"))
	}
}

func perS(v float64) string { return fmt.Sprintf("%.1f", v) }

// seconds renders a duration in seconds with a unit that fits.
func seconds(s float64) string {
	switch {
	case s == 0:
		return "-"
	case s < 1e-3:
		return fmt.Sprintf("%.0fus", s*1e6)
	case s < 1:
		return fmt.Sprintf("%.1fms", s*1e3)
	}
	return fmt.Sprintf("%.1fs", s)
}

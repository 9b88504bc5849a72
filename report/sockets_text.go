package report

import (
	"fmt"
	"io"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fatih/color"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/sockets"
)

// SocketsText writes the socket view a person reads: the count, the
// rankings of the view's grouping, then the sampling results and notes.
type SocketsText struct {
	// Color enables ANSI colour; it never touches color.NoColor.
	Color bool
}

const barWidth = 40

// Write renders v, v.Top rows per ranking.
func (t SocketsText) Write(w io.Writer, v *sockets.View) error {
	v = escaped(v)
	bar := color.New(color.FgCyan)
	if t.Color {
		bar.EnableColor()
	} else {
		bar.DisableColor()
	}
	fmt.Fprintf(w, "TCP sockets: %d (%s, %s)\n", v.Count(), v.CensusName(), v.Elapsed.Round(time.Millisecond))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	switch v.By {
	case sockets.ByState:
		writeStates(tw, v, bar)
		writeListeners(tw, v)
		writeDestinations(tw, v)
		writeRemotes(tw, v)
		writeProcesses(tw, v)
	case sockets.ByPort:
		writePorts(tw, v)
	case sockets.ByRemote:
		writeRemotes(tw, v)
	case sockets.ByProcess:
		writeProcesses(tw, v)
	}
	writeSampling(tw, v)
	writeConntrack(tw, v)
	for _, n := range v.Notes {
		fmt.Fprintf(tw, "\nnote: %s\n", n)
	}
	return tw.Flush()
}

func writeStates(w io.Writer, v *sockets.View, bar *color.Color) {
	c := v.Census
	most := 1
	for _, s := range audit.States() {
		most = max(most, c.Count(s))
	}
	fmt.Fprintln(w, "\nSTATE\tCOUNT\t")
	for _, s := range audit.States() {
		n := c.Count(s)
		if n == 0 || (v.State != 0 && s != v.State) {
			continue
		}
		cells := max(1, n*barWidth/most)
		fmt.Fprintf(w, "%s\t%d\t%s\n", s, n, bar.Sprint(strings.Repeat("█", cells)))
	}
}

func writeListeners(w io.Writer, v *sockets.View) {
	ls := v.Listeners()
	if len(ls) == 0 {
		return
	}
	fmt.Fprintln(w, "\nLISTENER\tACCEPT QUEUE\tBACKLOG\tFILL")
	for _, l := range head(ls, v.Top) {
		backlog, share := "?", "? (backlog unknown from /proc; capped by net.core.somaxconn as it was at listen())"
		if l.Backlog > 0 {
			backlog, share = fmt.Sprint(l.Backlog), fmt.Sprintf("%.0f%%", 100*sockets.Fill(l))
		}
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\n", netip.AddrPortFrom(l.Addr.Unmap(), l.Port), l.AcceptQueue, backlog, share)
	}
}

func writeDestinations(w io.Writer, v *sockets.View) {
	ds := v.Destinations()
	if len(ds) == 0 {
		return
	}
	lo, hi := v.Census.PortRange()
	fmt.Fprintf(w, "\nEphemeral ports per destination (ip_local_port_range %d-%d: %d ports per destination):\n",
		lo, hi, int(hi)-int(lo)+1)
	fmt.Fprintln(w, "LOCAL -> DESTINATION\tSOCKETS\tTIME_WAIT\tSHARE OF RANGE")
	for _, d := range head(ds, v.Top) {
		fmt.Fprintf(w, "%s -> %s\t%d\t%d\t%.1f%%\n", d.Flow.Local.Unmap(),
			netip.AddrPortFrom(d.Flow.Remote.Unmap(), d.Flow.RemotePort), d.Use.Sockets, d.Use.TimeWait, 100*d.Share)
	}
	if e := v.Census.EphemeralError; e > 0 {
		fmt.Fprintf(w, "(more than %d destinations: each count may be up to %d below the truth)\n", audit.MaxFlows, e)
	}
}

func writePorts(w io.Writer, v *sockets.View) {
	fmt.Fprintln(w, "\nLOCAL PORT\tSOCKETS\t")
	for _, p := range head(v.Ports(), v.Top) {
		mark := ""
		if p.Listening {
			mark = "listening port: accepted connections"
		}
		fmt.Fprintf(w, "%d\t%d\t%s\n", p.Port, p.Sockets, mark)
	}
}

func writeProcesses(w io.Writer, v *sockets.View) {
	if v.Processes == nil {
		switch k := v.Census.Count(audit.CloseWait); {
		case k > 0 && v.AttributionFailed:
			fmt.Fprintf(w, "\n%s; owners not attributed: process attribution failed (see the note)\n", plural(k, "CLOSE_WAIT socket"))
		case k > 0:
			fmt.Fprintf(w, "\n%s; owners not looked up (--no-owners)\n", plural(k, "CLOSE_WAIT socket"))
		}
		return
	}
	if len(v.Processes.Processes) == 0 {
		fmt.Fprintln(w, "\nNo process found holding these sockets (see the note).")
		return
	}
	fmt.Fprintln(w, "\nPID\tCOMMAND\tSOCKETS\tSTATES")
	for _, p := range head(v.Processes.Processes, v.Top) {
		var parts []string
		for _, s := range audit.States() {
			if k := p.States[s]; k > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", s, k))
			}
		}
		fmt.Fprintf(w, "%d\t%s\t%d\t%s\n", p.PID, p.Command, p.Total, strings.Join(parts, ", "))
	}
	if left := len(v.Processes.Processes) - len(head(v.Processes.Processes, v.Top)); left > 0 {
		fmt.Fprintf(w, "(and %d more processes: --top %d lists them)\n", left, len(v.Processes.Processes))
	}
}

func writeRemotes(w io.Writer, v *sockets.View) {
	top := v.Remotes(v.Top)
	if len(top) == 0 {
		return
	}
	fmt.Fprintln(w, "\nREMOTE ENDPOINT\tSOCKETS\t")
	for _, h := range top {
		fmt.Fprintf(w, "%s\t%s\t\n", endpointText(h.Endpoint), approx(h))
	}
}

func writeSampling(w io.Writer, v *sockets.View) {
	if v.Stuck == nil {
		return
	}
	fmt.Fprintf(w, "\nSAMPLING: %d samples over %s\n", v.Stuck.Samples, v.Stuck.Duration.Round(time.Millisecond))
	if v.Stuck.Beyond > 0 {
		fmt.Fprintf(w, "CLOSE_WAIT sockets present in every sample (stuck)\tat least %d (%d others of the first sample not followed)\n", v.Stuck.Sockets, v.Stuck.Beyond)
	} else {
		fmt.Fprintf(w, "CLOSE_WAIT sockets present in every sample (stuck)\t%d\n", v.Stuck.Sockets)
	}
	for _, r := range v.Rates {
		fmt.Fprintf(w, "%s %s\t%+d\t%.1f/s\n", r.Section, r.Name, r.Delta, r.PerSecond)
	}
}

// endpointText prints a ranked remote endpoint; port 0 marks inbound
// clients.
func endpointText(e netip.AddrPort) string {
	if e.Port() == 0 {
		return e.Addr().String() + " (clients of local listeners)"
	}
	return e.String()
}

// approx is a ranked count, as a range when the ranking may over-count.
func approx(h audit.Heavy) string {
	if h.Error == 0 {
		return fmt.Sprint(h.Count)
	}
	return fmt.Sprintf("%d-%d", h.Count-h.Error, h.Count)
}

// head is the first n elements of s, or all of them.
func head[T any](s []T, n int) []T { return s[:min(n, len(s))] }

// writeConntrack writes the conntrack line: totals, then TCP entries by
// conntrack state when the table could be read.
func writeConntrack(w io.Writer, v *sockets.View) {
	c := v.Conntrack
	if c == nil {
		return
	}
	fmt.Fprintf(w, "\nconntrack: %d of %d entries", c.Count, c.Max)
	if len(c.TCPStates) > 0 {
		var parts []string
		for _, s := range slices.Sorted(maps.Keys(c.TCPStates)) {
			parts = append(parts, fmt.Sprintf("%s %d", s, c.TCPStates[s]))
		}
		fmt.Fprintf(w, "; TCP %s", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w)
}

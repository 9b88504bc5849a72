package main

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fatih/color"

	"github.com/tcpaudit/tcpaudit/audit"
)

const barWidth = 40

// writeSocketsText prints the census for a person: the --by view, then the
// sampling results and notes.
func writeSocketsText(w io.Writer, v *socketView, o socketsOptions, colored bool) error {
	bar := color.New(color.FgCyan)
	if colored {
		bar.EnableColor()
	} else {
		bar.DisableColor()
	}
	c := v.Census
	fmt.Fprintf(w, "TCP sockets: %d (%s, %s)\n", countOf(v), v.Source, v.Elapsed.Round(time.Millisecond))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	switch o.By {
	case "state":
		writeStates(tw, v, bar)
		writeListeners(tw, c, o.Top)
		writeDestinations(tw, c, o.Top)
		writeRemotes(tw, c, o.Top)
		writeProcesses(tw, v, o.Top)
	case "port":
		fmt.Fprintln(tw, "\nLOCAL PORT\tSOCKETS\t")
		for _, p := range top(ports(c), o.Top) {
			mark := ""
			if p.Listening {
				mark = "listening port: accepted connections"
			}
			fmt.Fprintf(tw, "%d\t%d\t%s\n", p.Port, p.Sockets, mark)
		}
	case "remote":
		writeRemotes(tw, c, o.Top)
	case "process":
		writeProcesses(tw, v, o.Top)
	}
	writeSampling(tw, v)
	for _, n := range v.Notes {
		fmt.Fprintf(tw, "\nnote: %s\n", n)
	}
	return tw.Flush()
}

// countOf is the total, or the count of the one state asked for.
func countOf(v *socketView) int {
	if v.State != 0 {
		return v.Census.Count(v.State)
	}
	return v.Census.Total()
}

func writeStates(w io.Writer, v *socketView, bar *color.Color) {
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

func writeListeners(w io.Writer, c *audit.Census, n int) {
	ls := listeners(c)
	if len(ls) == 0 {
		return
	}
	fmt.Fprintln(w, "\nLISTENER\tACCEPT QUEUE\tBACKLOG\tFILL")
	for _, l := range top(ls, n) {
		backlog, share := "?", "? (backlog unknown from /proc; net.core.somaxconn caps it)"
		if l.Backlog > 0 {
			backlog, share = fmt.Sprint(l.Backlog), fmt.Sprintf("%.0f%%", 100*fill(l))
		}
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\n", netip.AddrPortFrom(l.Addr.Unmap(), l.Port), l.AcceptQueue, backlog, share)
	}
}

func writeDestinations(w io.Writer, c *audit.Census, n int) {
	ds := destinations(c)
	if len(ds) == 0 {
		return
	}
	lo, hi := c.PortRange()
	fmt.Fprintf(w, "\nEphemeral ports per destination (ip_local_port_range %d-%d: %d ports per destination):\n",
		lo, hi, int(hi)-int(lo)+1)
	fmt.Fprintln(w, "LOCAL -> DESTINATION\tSOCKETS\tTIME_WAIT\tSHARE OF RANGE")
	for _, d := range top(ds, n) {
		fmt.Fprintf(w, "%s -> %s\t%d\t%d\t%.1f%%\n", d.Flow.Local.Unmap(),
			netip.AddrPortFrom(d.Flow.Remote.Unmap(), d.Flow.RemotePort), d.Use.Sockets, d.Use.TimeWait, 100*d.Share)
	}
}

func writeProcesses(w io.Writer, v *socketView, n int) {
	if v.Processes == nil {
		if k := v.Census.Count(audit.CloseWait); k > 0 {
			fmt.Fprintf(w, "\n%d CLOSE_WAIT sockets; owners not looked up (--no-owners)\n", k)
		}
		return
	}
	fmt.Fprintln(w, "\nPID\tCOMMAND\tSOCKETS\tSTATES")
	for _, p := range top(v.Processes.Processes, n) {
		var parts []string
		for _, s := range audit.States() {
			if k := p.States[s]; k > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", s, k))
			}
		}
		fmt.Fprintf(w, "%d\t%s\t%d\t%s\n", p.PID, p.Command, p.Total, strings.Join(parts, ", "))
	}
}

func writeRemotes(w io.Writer, c *audit.Census, n int) {
	top := c.Remotes().Top(n)
	if len(top) == 0 {
		return
	}
	fmt.Fprintln(w, "\nREMOTE ENDPOINT\tSOCKETS\t")
	for _, h := range top {
		fmt.Fprintf(w, "%s\t%s\t\n", endpoint(h.Endpoint), approx(h))
	}
}

func writeSampling(w io.Writer, v *socketView) {
	if v.Stuck == nil {
		return
	}
	fmt.Fprintf(w, "\nSAMPLING: %d samples over %s\n", v.Stuck.Samples, v.Stuck.Duration.Round(time.Millisecond))
	fmt.Fprintf(w, "CLOSE_WAIT sockets present in every sample (stuck)\t%d\n", v.Stuck.Sockets)
	for _, r := range v.Rates {
		fmt.Fprintf(w, "%s %s\t%+d\t%.1f/s\n", r.Section, r.Name, r.Delta, r.PerSecond)
	}
}

func approx(h audit.Heavy) string {
	if h.Error == 0 {
		return fmt.Sprint(h.Count)
	}
	return fmt.Sprintf("%d-%d", h.Count-h.Error, h.Count)
}

func top[T any](s []T, n int) []T { return s[:min(n, len(s))] }

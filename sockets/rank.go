package sockets

import (
	"cmp"
	"slices"

	"github.com/tcpaudit/tcpaudit/audit"
)

// Count is the number of sockets counted: the total, or the count of the
// one state the view was limited to.
func (v *View) Count() int {
	if v.State != 0 {
		return v.Census.Count(v.State)
	}
	return v.Census.Total()
}

// Listeners returns the listeners, fullest accept queue first, then by
// port.
func (v *View) Listeners() []audit.Listener {
	ls := slices.Clone(v.Census.Listeners)
	slices.SortStableFunc(ls, func(a, b audit.Listener) int {
		if c := cmp.Compare(Fill(b), Fill(a)); c != 0 {
			return c
		}
		return cmp.Compare(a.Port, b.Port)
	})
	return ls
}

// Fill is the accept queue's share of the backlog, -1 when the backlog is
// unknown.
func Fill(l audit.Listener) float64 {
	if l.Backlog == 0 {
		return -1
	}
	return float64(l.AcceptQueue) / float64(l.Backlog)
}

// Destination is one Flow's ephemeral-port use.
type Destination struct {
	Flow audit.Flow
	Use  audit.FlowUse
	// Share is the part of the ephemeral port range the flow uses.
	Share float64
}

// Destinations ranks the flows by sockets, largest first.
func (v *View) Destinations() []Destination {
	c := v.Census
	lo, hi := c.PortRange()
	size := int(hi) - int(lo) + 1
	var out []Destination
	for f, u := range c.Ephemeral {
		d := Destination{Flow: f, Use: u}
		if size > 0 {
			d.Share = float64(u.Sockets) / float64(size)
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b Destination) int {
		if c := cmp.Compare(b.Use.Sockets, a.Use.Sockets); c != 0 {
			return c
		}
		return compareFlows(a.Flow, b.Flow)
	})
	return out
}

func compareFlows(a, b audit.Flow) int {
	if c := a.Remote.Compare(b.Remote); c != 0 {
		return c
	}
	if c := cmp.Compare(a.RemotePort, b.RemotePort); c != 0 {
		return c
	}
	return a.Local.Compare(b.Local)
}

// Port is the number of sockets on one local port.
type Port struct {
	Port      uint16
	Sockets   int
	Listening bool
}

// Ports ranks the local ports by sockets, largest first, then by port; it
// is empty unless the view is ByPort.
func (v *View) Ports() []Port {
	c := v.Census
	var out []Port
	for p, n := range c.Ports() {
		if n > 0 {
			out = append(out, Port{Port: uint16(p), Sockets: int(n), Listening: c.IsListening(uint16(p))})
		}
	}
	slices.SortStableFunc(out, func(a, b Port) int { return cmp.Compare(b.Sockets, a.Sockets) })
	return out
}

// Remotes returns the n heaviest remote endpoints; an endpoint with port 0
// stands for the clients of local listeners at that address.
func (v *View) Remotes(n int) []audit.Heavy {
	return v.Census.Remotes().Top(n)
}

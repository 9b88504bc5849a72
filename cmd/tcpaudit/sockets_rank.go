package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"sort"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

// sampleSockets takes samples-1 more readings of the CLOSE_WAIT sockets and
// counters, interval apart, and records the stuck sockets and the rates.
func sampleSockets(ctx context.Context, s streams, o socketsOptions, v *socketView) error {
	fsys, err := audit.NewFS(o.ProcRoot)
	if err != nil {
		return &codeError{code: exitError, err: err}
	}
	first, err := fsys.Counters()
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &codeError{code: exitError, err: err}
	}
	left := make(map[uint64]struct{}, len(v.Census.CloseWaitInodes()))
	for ino := range v.Census.CloseWaitInodes() {
		left[ino] = struct{}{}
	}
	n, tty := o.Sampling.Samples, isTerminal(s.err)
	start := time.Now()
	for i := 2; i <= n; i++ {
		if tty {
			fmt.Fprintf(s.err, "\rsampling %d/%d", i-1, n)
		}
		select {
		case <-ctx.Done():
			return &codeError{code: exitError, err: ctx.Err()}
		case <-time.After(o.Sampling.Interval):
		}
		if err := fsys.StillCloseWait(audit.CensusSource(v.Source), left); err != nil {
			return &codeError{code: exitError, err: fmt.Errorf("sample %d: %w", i, err)}
		}
	}
	if tty {
		fmt.Fprintf(s.err, "\rsampling %d/%d\n", n, n)
	}
	last, err := fsys.Counters()
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &codeError{code: exitError, err: err}
	}
	elapsed := time.Since(start)
	v.Stuck = &stuck{Sockets: len(left), Samples: n, Duration: elapsed}
	v.Rates = audit.Rates(first, last, elapsed)
	return nil
}

// listeners returns the listeners, fullest accept queue first.
func listeners(c *audit.Census) []audit.Listener {
	ls := append([]audit.Listener(nil), c.Listeners...)
	sort.SliceStable(ls, func(i, j int) bool {
		fi, fj := fill(ls[i]), fill(ls[j])
		if fi != fj {
			return fi > fj
		}
		return ls[i].Port < ls[j].Port
	})
	return ls
}

// fill is the accept queue's share of the backlog, -1 when unknown.
func fill(l audit.Listener) float64 {
	if l.Backlog == 0 {
		return -1
	}
	return float64(l.AcceptQueue) / float64(l.Backlog)
}

// destination is one Flow's ephemeral-port use.
type destination struct {
	Flow  audit.Flow
	Use   audit.FlowUse
	Share float64 // of the ephemeral range
}

// destinations ranks the flows by sockets, largest first.
func destinations(c *audit.Census) []destination {
	lo, hi := c.PortRange()
	size := int(hi) - int(lo) + 1
	var out []destination
	for f, u := range c.Ephemeral {
		d := destination{Flow: f, Use: u}
		if size > 0 {
			d.Share = float64(u.Sockets) / float64(size)
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Use.Sockets != out[j].Use.Sockets {
			return out[i].Use.Sockets > out[j].Use.Sockets
		}
		return flowLess(out[i].Flow, out[j].Flow)
	})
	return out
}

func flowLess(a, b audit.Flow) bool {
	if c := a.Remote.Compare(b.Remote); c != 0 {
		return c < 0
	}
	if a.RemotePort != b.RemotePort {
		return a.RemotePort < b.RemotePort
	}
	return a.Local.Less(b.Local)
}

// portCount is the number of sockets on one local port.
type portCount struct {
	Port      uint16 `json:"port"`
	Sockets   int    `json:"sockets"`
	Listening bool   `json:"listening"`
}

// ports ranks local ports by sockets, largest first.
func ports(c *audit.Census) []portCount {
	var out []portCount
	for p, n := range c.Ports() {
		if n > 0 {
			out = append(out, portCount{Port: uint16(p), Sockets: int(n), Listening: c.IsListening(uint16(p))})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Sockets > out[j].Sockets })
	return out
}

// endpoint prints a ranked remote endpoint; port 0 marks inbound clients.
func endpoint(e netip.AddrPort) string {
	if e.Port() == 0 {
		return e.Addr().String() + " (clients of local listeners)"
	}
	return e.String()
}

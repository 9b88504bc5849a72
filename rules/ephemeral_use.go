package rules

import (
	"net/netip"
	"sort"

	"github.com/tcpaudit/tcpaudit/audit"
)

// EphemeralTop is how many destinations Result.Ephemeral lists at most.
const EphemeralTop = 10

// EphemeralUse is the ephemeral-port use toward one destination: the kernel
// needs a distinct local port only per (local IP, remote IP, remote port), so
// each such flow has the whole usable range to itself.
type EphemeralUse struct {
	Local      string `json:"local"`
	Remote     string `json:"remote"`
	RemotePort uint16 `json:"remote_port"`
	// Sockets holds a local port of the range; TimeWait of them are in
	// TIME_WAIT.
	Sockets  int `json:"sockets"`
	TimeWait int `json:"time_wait"`
	// Usable is the size of ip_local_port_range minus reserved and
	// listening ports.
	Usable int64 `json:"usable"`
	// Share is Sockets / Usable.
	Share float64 `json:"share"`
}

// ephemeralUse returns the top destinations by share, or nil when there is
// no census or the usable range is unknown.
func ephemeralUse(f *audit.Facts, top int) []EphemeralUse {
	if f.Census == nil || len(f.Census.Ephemeral) == 0 {
		return nil
	}
	usable, ok := usablePorts(f)
	if !ok || usable <= 0 {
		return nil
	}
	flows := ephemeralFlows(f.Census)
	out := make([]EphemeralUse, 0, len(flows))
	for fl, u := range flows {
		out = append(out, EphemeralUse{
			Local:      addrString(fl.Local),
			Remote:     addrString(fl.Remote),
			RemotePort: fl.RemotePort,
			Sockets:    u.Sockets,
			TimeWait:   u.TimeWait,
			Usable:     usable,
			Share:      float64(u.Sockets) / float64(usable),
		})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Sockets != b.Sockets {
			return a.Sockets > b.Sockets
		}
		if a.Local != b.Local {
			return a.Local < b.Local
		}
		if a.Remote != b.Remote {
			return a.Remote < b.Remote
		}
		return a.RemotePort < b.RemotePort
	})
	if len(out) > top {
		out = out[:top]
	}
	return out
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.Unmap().String()
}

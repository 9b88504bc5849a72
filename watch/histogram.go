package watch

import (
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

// timeInState summarizes the time sockets spent per state: the stays that
// ended between the readings, and the sockets still in CLOSE_WAIT or
// FIN_WAIT2 for the maximum.
func timeInState(first, last Reading) []StateTime {
	out := []StateTime{}
	for st := range audit.State(NStates) {
		var h [NBuckets]uint64
		var n uint64
		for b := range NBuckets {
			h[b] = last.Time[st][b] - min(first.Time[st][b], last.Time[st][b])
			n += h[b]
		}
		longest := last.Max[st]
		for _, l := range last.Live {
			if l.State == st {
				longest = max(longest, l.Age)
			}
		}
		if n == 0 && longest == 0 {
			continue
		}
		out = append(out, StateTime{
			State: st.String(), Count: n,
			P50S: quantile(h, n, 0.50, longest).Seconds(),
			P90S: quantile(h, n, 0.90, longest).Seconds(),
			P99S: quantile(h, n, 0.99, longest).Seconds(),
			MaxS: longest.Seconds(),
		})
	}
	return out
}

// quantile is the upper bound of the log2 bucket (of microseconds) holding
// the q-quantile of n stays, at most longest; 0 without stays.
func quantile(h [NBuckets]uint64, n uint64, q float64, longest time.Duration) time.Duration {
	if n == 0 {
		return 0
	}
	rank := uint64(q*float64(n) + 0.5)
	var seen uint64
	for b, c := range h {
		seen += c
		if seen >= max(rank, 1) {
			upper := time.Duration(1<<min(b+1, 40)) * time.Microsecond
			if longest > 0 {
				return min(upper, longest)
			}
			return upper
		}
	}
	return longest
}

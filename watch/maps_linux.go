//go:build linux && !tcpaudit_portable

package watch

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/cilium/ebpf"

	"github.com/tcpaudit/tcpaudit/audit"
)

// sum adds the per-CPU values of one element.
func sum(v []uint64) uint64 {
	var n uint64
	for _, x := range v {
		n += x
	}
	return n
}

func transitions(m *ebpf.Map) (map[Pair]uint64, error) {
	out := map[Pair]uint64{}
	return out, each(m, func(k uint32, v []uint64) {
		if n := sum(v); n > 0 {
			out[Pair{From: audit.State(k / NStates), To: audit.State(k % NStates)}] = n
		}
	})
}

// histograms reads the time spent per state, summing the CPUs' buckets and
// totals and keeping the longest of their stays.
func histograms(m *ebpf.Map, r *Reading) error {
	return each(m, func(k uint32, v []tracerStatetime) {
		if k >= NStates {
			return
		}
		for _, cpu := range v {
			for b, n := range cpu.Buckets {
				r.Time[k][b] += n
			}
			r.Max[k] = max(r.Max[k], time.Duration(cpu.MaxNs))
			r.Sum[k] += time.Duration(cpu.SumNs)
		}
	})
}

func timeWait(m *ebpf.Map) (map[Creator]uint64, error) {
	out := map[Creator]uint64{}
	return out, each(m, func(k tracerTwkey, v []uint64) {
		out[creator(k)] += sum(v)
	})
}

// creator is the process and destination of a TIME_WAIT or orphan key.
func creator(k tracerTwkey) Creator {
	return Creator{
		Owner:       Owner{PID: int(k.Pid), Command: comm(k.Comm)},
		Netns:       k.Netns,
		Destination: endpoint(k.Family, k.Daddr, k.Dport),
	}
}

func orphans(m *ebpf.Map) (map[Creator]OrphanCount, error) {
	out := map[Creator]OrphanCount{}
	return out, each(m, func(k tracerTwkey, v []tracerOrphan) {
		c := creator(k)
		o := out[c]
		for _, cpu := range v {
			o.Handed += cpu.Handed
			o.Answered += cpu.Answered
		}
		out[c] = o
	})
}

func resets(m *ebpf.Map) (map[Peer]ResetCount, error) {
	out := map[Peer]ResetCount{}
	return out, each(m, func(k tracerAddrkey, v []uint64) {
		p := Peer{Netns: k.Netns, Endpoint: endpoint(k.Family, k.Addr, k.Port)}
		r := out[p]
		if k.Dir == rstReceived {
			r.Received += sum(v)
		} else {
			r.Sent += sum(v)
		}
		out[p] = r
	})
}

func peers(m *ebpf.Map) (map[Peer]uint64, error) {
	out := map[Peer]uint64{}
	return out, each(m, func(k tracerAddrkey, v []uint64) {
		out[Peer{Netns: k.Netns, Endpoint: endpoint(k.Family, k.Addr, k.Port)}] += sum(v)
	})
}

// live lists the sockets in CLOSE_WAIT or FIN_WAIT2, oldest first, from
// their slots and from the hash of the sockets whose slot another held;
// now is the monotonic clock.
func live(slots, socks *ebpf.Map, now time.Duration) ([]Live, error) {
	var out []Live
	// The maps hold the live sockets and the closed ones left for the
	// next socket at their address (or slot), up to their sizes.
	add := func(s tracerSockinfo) {
		st := audit.State(s.State)
		if st != audit.CloseWait && st != audit.FinWait2 {
			return
		}
		out = append(out, Live{
			Owner: entryOwner(s),
			State: st, Netns: s.Netns,
			Local:  endpoint(s.Family, s.Saddr, s.Lport),
			Remote: endpoint(s.Family, s.Daddr, s.Dport),
			Age:    max(now-time.Duration(s.SinceNs), 0),
		})
	}
	if err := each(slots, func(_ uint32, v []tracerSlot) { add(v[0].Si) }); err != nil {
		return nil, fmt.Errorf("read BPF map slots: %w", err)
	}
	if err := each(socks, func(_ uint64, v []tracerSockinfo) { add(v[0]) }); err != nil {
		return nil, fmt.Errorf("read BPF map socks: %w", err)
	}
	slices.SortFunc(out, func(a, b Live) int { return cmp.Compare(b.Age, a.Age) })
	return out, nil
}

// entryOwner is the process a socket's entry names: its name is that of the
// last process named at the entry's address, which is this socket's owner
// only when it has one (pid 0: softirq or kernel).
func entryOwner(s tracerSockinfo) Owner {
	if s.Pid == 0 {
		return Owner{}
	}
	return Owner{PID: int(s.Pid), Command: comm(s.Comm)}
}

// rstReceived is addrkey.dir of a received RST (RST_RECEIVED).
const rstReceived = 1

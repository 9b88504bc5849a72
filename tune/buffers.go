package tune

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

// BufferFactor is how many times the bandwidth-delay product a buffer
// needs: the kernel advertises a window of only part of the receive buffer
// (tcp_win_from_space with scaling_ratio, 50% until measured), and sizes
// the send buffer at twice the congestion window (tcp_sndbuf_expand)
// (docs/kernel-facts.md §24).
const BufferFactor = 2

// BDP is the bandwidth-delay product of one flow in one direction.
type BDP struct {
	// Rate is in bytes per second; RTT the round trip it is multiplied by.
	Rate  float64
	RTT   time.Duration
	Bytes float64
	// From says where the rate came from: "delivery_rate" or
	// "throughput" (bytes moved over the interval).
	From string
}

// SendBDP is the BDP of what a flow sends: tcp_info's delivery rate (the
// bytes acked over the interval when the kernel has no delivery sample)
// × its smoothed RTT. A flow that sent nothing in the interval has none;
// the pacing rate is not used, as before the first delivery sample it is
// derived from the initial window, not measured.
func SendBDP(f audit.FlowLoad, interval time.Duration) BDP {
	b := BDP{RTT: f.Info.RTT}
	switch {
	case f.Sent == 0:
	case f.Info.DeliveryRate > 0:
		b.Rate, b.From = float64(f.Info.DeliveryRate), "delivery_rate"
	case interval > 0:
		b.Rate, b.From = float64(f.Sent)/interval.Seconds(), "throughput"
	}
	b.Bytes = b.Rate * b.RTT.Seconds()
	return b
}

// RecvBDP is the BDP of what a flow receives: the bytes received over the
// interval × the receiver's RTT estimate (tcpi_rcv_rtt, else tcpi_rtt).
func RecvBDP(f audit.FlowLoad, interval time.Duration) BDP {
	b := BDP{RTT: f.Info.RcvRTT, From: "throughput"}
	if b.RTT == 0 {
		b.RTT = f.Info.RTT
	}
	if interval > 0 {
		b.Rate = float64(f.Received) / interval.Seconds()
	}
	b.Bytes = b.Rate * b.RTT.Seconds()
	return b
}

// busiestBDP returns the largest BDP among the busiest flows of every
// reading, in one direction, and the flow it belongs to.
func (s series) busiestBDP(send bool) (BDP, audit.FlowLoad, int) {
	var best BDP
	var flow audit.FlowLoad
	seen := 0
	for _, o := range s.obs {
		for _, f := range o.Flows {
			b := RecvBDP(f, o.Interval)
			if send {
				b = SendBDP(f, o.Interval)
			}
			if b.Bytes <= 0 {
				continue
			}
			seen++
			if b.Bytes > best.Bytes {
				best, flow = b, f
			}
		}
	}
	return best, flow, seen
}

// buffers sizes the maxima of tcp_wmem and tcp_rmem and the core
// wmem_max and rmem_max from the BDP of the busiest flows.
func (s series) buffers() []Proposal {
	var out []Proposal
	for _, send := range []bool{true, false} {
		b, f, seen := s.busiestBDP(send)
		tcpKey, coreKey := keyRmem, keyRmemMax
		if send {
			tcpKey, coreKey = keyWmem, keyWmemMax
		}
		if seen == 0 {
			what := fmt.Sprintf("no ESTABLISHED flow with tcp_info moved data in %d readings (census source %s; /proc has no tcp_info)", len(s.obs), s.source())
			out = append(out, s.insufficient(tcpKey, what, nil), s.insufficient(coreKey, what, nil))
			continue
		}
		out = append(out, s.bufferMax(tcpKey, b, f, seen, true), s.bufferMax(coreKey, b, f, seen, false))
	}
	return out
}

func (s series) source() string {
	if len(s.obs) == 0 {
		return "none"
	}
	return string(s.last().Source)
}

// bufferMax proposes a maximum of BufferFactor × BDP, never lower than
// today's; triple says the key is "min default max".
func (s series) bufferMax(key string, b BDP, f audit.FlowLoad, seen int, triple bool) Proposal {
	cur := s.current(key)
	fields := strings.Fields(cur)
	var curMax int64
	if len(fields) > 0 {
		curMax, _ = strconv.ParseInt(fields[len(fields)-1], 10, 64)
	}
	n := int64(math.Ceil(BufferFactor * b.Bytes))
	flow := f.Local.String() + " → " + f.Remote.String()
	p := Proposal{
		Key: key, Current: cur, Confidence: Medium, Subject: flow,
		Inputs: map[string]any{
			"flow": flow, "rate_bytes_per_s": b.Rate, "rate_from": b.From, "rtt_us": b.RTT.Microseconds(),
			"bdp_bytes": b.Bytes, "factor": BufferFactor, "need_bytes": n, "flows_seen": seen,
		},
		Formula: fmt.Sprintf("busiest flow %s: %s %s × RTT %s ms = BDP %s bytes × %d = %s bytes; max now %s",
			flow, strings.ReplaceAll(b.From, "_", " "), bytesPerSec(b.Rate), strconv.FormatFloat(float64(b.RTT.Microseconds())/1000, 'f', 3, 64),
			count(int64(math.Round(b.Bytes))), BufferFactor, count(n), count(curMax)),
	}
	if seen >= 3 {
		p.Confidence = High
	}
	if !triple {
		p.Formula += " (it caps what an application may ask for with SO_RCVBUF / SO_SNDBUF, which the kernel doubles)"
	}
	switch {
	case len(fields) == 0:
		return unreadable(p)
	case n <= curMax:
		return decide(p, false, "")
	}
	fields[len(fields)-1] = strconv.FormatInt(n, 10)
	return decide(p, true, strings.Join(fields, " "))
}

package tune

import (
	"fmt"
	"maps"
	"math"
	"math/big"
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

// MinSegments is how many segments of its MSS a flow must move in an
// interval before its rate sizes a buffer: the initial congestion window,
// TCP_INIT_CWND. A flow that moved less fits in the window every
// connection starts with, so no buffer held it back, and its rate is the
// application's pace, or the one byte of sequence space a FIN takes in
// tcpi_bytes_acked, not what the path carries; even its delivery rate is
// then a sample of a SYN or a FIN (docs/kernel-facts.md §35).
const MinSegments = 10

// defaultMSS stands for a flow's MSS when tcp_info gives none:
// TCP_MSS_DEFAULT.
const defaultMSS = 536

// BDP is the bandwidth-delay product of one flow in one direction.
type BDP struct {
	// Rate is in whole bytes per second; RTT the round trip, in whole
	// microseconds as tcp_info gives it, it is multiplied by.
	Rate  float64
	RTT   time.Duration
	Bytes float64
	// From says where the rate came from: "delivery_rate" or
	// "throughput" (bytes moved over the interval).
	From string
}

// SendBDP is the BDP of what a flow sends: tcp_info's delivery rate (the
// bytes acked over the interval when the kernel has no delivery sample)
// × its smoothed RTT. A flow that sent less than MinSegments of its MSS in
// the interval has none; the pacing rate is not used, as before the first
// delivery sample it is derived from the initial window, not measured.
func SendBDP(f audit.FlowLoad, interval time.Duration) BDP {
	b := BDP{RTT: f.Info.RTT.Truncate(time.Microsecond)}
	switch {
	case f.Sent < minMoved(f.Info.SndMSS):
	case f.Info.DeliveryRate > 0:
		b.Rate, b.From = float64(f.Info.DeliveryRate), "delivery_rate"
	case interval > 0:
		b.Rate, b.From = perSecond(f.Sent, interval), "throughput"
	}
	b.Bytes = bdpBytes(b)
	return b
}

// RecvBDP is the BDP of what a flow receives: the bytes received over the
// interval × the receiver's RTT estimate (tcpi_rcv_rtt, else tcpi_rtt). A
// flow that received less than MinSegments of the MSS it advertises has
// none.
func RecvBDP(f audit.FlowLoad, interval time.Duration) BDP {
	b := BDP{RTT: f.Info.RcvRTT.Truncate(time.Microsecond), From: "throughput"}
	if b.RTT == 0 {
		b.RTT = f.Info.RTT.Truncate(time.Microsecond)
	}
	if interval > 0 && f.Received >= minMoved(f.Info.AdvMSS) {
		b.Rate = perSecond(f.Received, interval)
	}
	b.Bytes = bdpBytes(b)
	return b
}

// minMoved is the bytes a flow of this MSS must move in an interval.
func minMoved(mss uint32) uint64 {
	if mss == 0 {
		mss = defaultMSS
	}
	return MinSegments * uint64(mss)
}

// perSecond is bytes over interval, in whole bytes per second (rounded
// down), the rate the printed arithmetic starts from.
func perSecond(bytes uint64, interval time.Duration) float64 {
	return math.Floor(float64(bytes) / interval.Seconds())
}

// bdpExact is Rate × RTT exactly: whole bytes per second times whole
// microseconds, over a million.
func bdpExact(b BDP) *big.Rat {
	return new(big.Rat).SetFrac(
		new(big.Int).Mul(big.NewInt(int64(b.Rate)), big.NewInt(b.RTT.Microseconds())),
		big.NewInt(1_000_000))
}

func bdpBytes(b BDP) float64 {
	f, _ := bdpExact(b).Float64()
	return f
}

// busiest is the largest BDP among the busiest flows of every reading, in
// one direction: the flow it belongs to, how many flow readings had a BDP
// and how many moved some data, but less than MinSegments.
type busiest struct {
	bdp         BDP
	flow        audit.FlowLoad
	seen, short int
}

func (s series) busiestBDP(send bool) busiest {
	var out busiest
	for _, o := range s.obs {
		for _, f := range o.Flows {
			b, moved := RecvBDP(f, o.Interval), f.Received
			if send {
				b, moved = SendBDP(f, o.Interval), f.Sent
			}
			switch {
			case b.Bytes > 0:
				out.seen++
				if b.Bytes > out.bdp.Bytes {
					out.bdp, out.flow = b, f
				}
			case b.Rate == 0 && moved > 0:
				out.short++
			}
		}
	}
	return out
}

// buffers sizes the maxima of tcp_wmem and tcp_rmem and the core
// wmem_max and rmem_max from the BDP of the busiest flows.
func (s series) buffers() []Proposal {
	var out []Proposal
	for _, send := range []bool{true, false} {
		bs := s.busiestBDP(send)
		tcpKey, coreKey := keyRmem, keyRmemMax
		if send {
			tcpKey, coreKey = keyWmem, keyWmemMax
		}
		if bs.seen == 0 {
			what := fmt.Sprintf("no ESTABLISHED flow with tcp_info moved %d segments of its MSS (the initial congestion window) in an interval of %d readings (census source %s; /proc has no tcp_info)",
				MinSegments, len(s.obs), s.source())
			if bs.short > 0 {
				what += fmt.Sprintf("; %d flow readings moved less, which no buffer held back", bs.short)
			}
			inputs := map[string]any{"min_segments": MinSegments, "flows_short": bs.short}
			out = append(out, s.insufficient(tcpKey, what, inputs), s.insufficient(coreKey, what, maps.Clone(inputs)))
			continue
		}
		out = append(out, s.bufferMax(tcpKey, bs.bdp, bs.flow, bs.seen, true), s.bufferMax(coreKey, bs.bdp, bs.flow, bs.seen, false))
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
	need := new(big.Rat).Mul(bdpExact(b), big.NewRat(BufferFactor, 1))
	n := ceil(need)
	flow := f.Local.String() + " → " + f.Remote.String()
	p := Proposal{
		Key: key, Current: cur, Confidence: Medium, Subject: flow,
		Inputs: map[string]any{
			"flow": flow, "rate_bytes_per_s": b.Rate, "rate_from": b.From, "rtt_us": b.RTT.Microseconds(),
			"bdp_bytes": b.Bytes, "factor": BufferFactor, "need_bytes": n, "flows_seen": seen,
		},
		Formula: fmt.Sprintf("busiest flow %s: %s %s × RTT %s ms = BDP %s bytes × %d = %s; max now %s",
			flow, strings.ReplaceAll(b.From, "_", " "), bytesPerSec(b.Rate), strconv.FormatFloat(float64(b.RTT.Microseconds())/1000, 'f', 3, 64),
			exactBytes(bdpExact(b)), BufferFactor, roundedUp(need, n), count(curMax)),
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

// ceil is the least integer at least r (r is not negative).
func ceil(r *big.Rat) int64 {
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q.Int64()
}

// exactBytes writes r, a number of bytes with at most six decimals (whole
// bytes per second × whole microseconds), exactly: thousands separated,
// no trailing zeros.
func exactBytes(r *big.Rat) string {
	whole, frac, _ := strings.Cut(r.FloatString(6), ".")
	n, _ := strconv.ParseInt(whole, 10, 64)
	if frac = strings.TrimRight(frac, "0"); frac != "" {
		return count(n) + "." + frac
	}
	return count(n)
}

// roundedUp writes need in bytes, and the whole bytes n it is rounded up
// to when it has a fraction.
func roundedUp(need *big.Rat, n int64) string {
	if need.IsInt() {
		return count(n) + " bytes"
	}
	return exactBytes(need) + " bytes, rounded up to " + count(n) + " bytes"
}

package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

// stuckSockets returns the stuck CLOSE_WAIT sockets as subjects, longest
// idle first, at most top, and records the evidence of being stuck: the
// sockets present in every sample when sampled, else those idle for at
// least stuck_after per tcp_info. Without samples or tcp_info nothing is
// known to be stuck.
func stuckSockets(f *audit.Facts, p Params, ev Evidence) []Subject {
	after := time.Duration(p.Int("stuck_after")) * time.Second
	top := min(int(p.Int("top")), audit.MaxNamedSockets) // the sockets whose holders were looked for
	var stuck []audit.SocketInfo                         // the first top of them, longest idle first
	n := 0
	for _, s := range f.CloseWaitInfo {
		if isStuck(f, s, after) {
			if n++; len(stuck) < top {
				stuck = append(stuck, s)
			}
		}
	}
	switch {
	case f.Sampling != nil:
		ev["stuck"], ev["elapsed_s"] = float64(f.Sampling.StuckCloseWait.Len()), f.Sampling.Elapsed.Seconds()
	case f.CloseWaitInfo != nil:
		ev["stuck"], ev["stuck_after_s"] = float64(n), after.Seconds()
	}
	var out []Subject
	for _, s := range stuck {
		sub := Subject{Local: s.Local.String(), Remote: s.Remote.String(), State: audit.CloseWait.String(),
			AgeS: s.Idle.Seconds(), RecvQ: int(s.RecvQ)}
		if h, ok := f.Owners.Holder(s.Inode); ok {
			sub.PID, sub.Command, sub.Holders = h.PID, h.Command, h.Others
		}
		out = append(out, sub)
	}
	return out
}

// isStuck: present in every sample when sampled, else idle long enough.
func isStuck(f *audit.Facts, s audit.SocketInfo, after time.Duration) bool {
	if f.Sampling != nil {
		return f.Sampling.StuckCloseWait.Has(s.Inode)
	}
	return s.Idle >= after
}

// idleText says how long the CLOSE_WAIT sockets have been idle and lists
// the stuck ones, and records the ages as evidence; "" without tcp_info.
func idleText(f *audit.Facts, ev Evidence, stuck []Subject) string {
	info := f.CloseWaitInfo
	if len(info) == 0 {
		return ""
	}
	var unread, eofUnread int64
	for _, s := range info {
		unread += int64(s.RecvQ)
		if s.EOFUnread {
			eofUnread++
		}
	}
	oldest, median := info[0].Idle, info[len(info)/2].Idle
	ev["oldest_idle_s"], ev["median_idle_s"], ev["recv_q_bytes"] = oldest.Seconds(), median.Seconds(), float64(unread)
	ev["eof_unread"] = float64(eofUnread)
	of := ""
	if n := f.Census.Count(audit.CloseWait); len(info) < n {
		of = fmt.Sprintf(" (of the %d longest idle, whose tcp_info was kept)", len(info))
	}
	text := fmt.Sprintf("; idle (no data received, tcp_info last_data_recv) for up to %s, median %s%s; "+
		"%d bytes of data received and not read; %d of %d have not read the end of the stream (read never returned 0)",
		oldest.Round(time.Second), median.Round(time.Second), of, unread, eofUnread, len(info))
	var list []string
	for _, s := range stuck {
		who := "not attributed"
		if s.PID != 0 {
			who = fmt.Sprintf("pid %d (%s)", s.PID, s.Command)
		}
		list = append(list, fmt.Sprintf("%s %s -> %s idle %s", who, s.Local, s.Remote, time.Duration(s.AgeS*float64(time.Second)).Round(time.Second)))
	}
	if len(list) > 0 {
		text += "; longest stuck: " + strings.Join(list, ", ")
	}
	return text
}

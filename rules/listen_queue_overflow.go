package rules

import (
	"fmt"
	"math"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
)

const listenOverflowWhy = `A listener's accept queue holds connections that completed the ` +
	`handshake but that the application has not accept()ed yet. Its limit is the backlog ` +
	`passed to listen(), clamped to net.core.somaxconn once, when listen() is called: a ` +
	`listener keeps that limit until it calls listen() again, so raising somaxconn changes ` +
	`nothing for a service that is already listening until it restarts. The same limit ` +
	`decides when the SYN queue is full (tcp_max_syn_backlog does not size it). When the ` +
	`accept queue is full the kernel drops the SYN, or the final ACK of the handshake, and ` +
	`counts TcpExt ListenOverflows; ListenDrops counts every drop on the listen path. A ` +
	`dropped SYN shows as a slow or failed connect() with retransmitted SYNs; after a dropped ` +
	`final ACK the client is already ESTABLISHED and sees a stall while the server repeats ` +
	`its SYN-ACK. The counters are totals since boot: compare two readings to see if it is ` +
	`still happening.`

func listenQueueOverflow() Rule {
	return Rule{
		ID:       "listen-queue-overflow",
		Title:    "Listen queue overflows",
		Category: Capacity,
		Severity: Warning,
		Keys:     []string{keySomaxconn},
		Needs:    []audit.Source{audit.SourceNetstat, audit.SourceSockets},
		Params: []Param{
			{Name: "min_drops", Kind: IntParam, Doc: "ListenOverflows or ListenDrops since boot that raise a finding"},
		},
		Explanation: listenOverflowWhy,
		References: []string{
			"include/net/sock.h sk_acceptq_is_full",
			"net/ipv4/tcp_input.c tcp_conn_request",
			"net/socket.c __sys_listen, __sys_listen_socket (somaxconn clamp, once per listen() call)",
			"net/ipv4/tcp_minisocks.c tcp_check_req (final ACK on a full queue)",
			"docs/kernel-facts.md §9",
		},
		Check: checkListenOverflow,
	}
}

func checkListenOverflow(f *audit.Facts, p Params) []Finding {
	somaxconn, _ := sysctlInt(f, keySomaxconn)
	trend := maxTrend(readTrend(f, "TcpExt", "ListenOverflows"), readTrend(f, "TcpExt", "ListenDrops"))
	nFull, full, limit, subjects, listenerDrops := listenerState(f, somaxconn)
	sev := trend.severity(Warning, p.Int("min_drops"))
	if nFull > 0 {
		sev = Critical
	}
	if sev == 0 {
		return nil
	}
	var obs []string
	if nFull > 0 {
		text := "full accept queue on " + strings.Join(full, ", ")
		if more := nFull - len(full); more > 0 {
			text += fmt.Sprintf(", and %d more listeners", more)
		}
		obs = append(obs, text)
	}
	obs = append(obs, trend.describe())
	if f.CensusSource == audit.CensusNetlink {
		obs = append(obs, fmt.Sprintf("the current listeners dropped %d packets since they were created", listenerDrops))
	}
	ev := trend.evidence(Evidence{"full_listeners": float64(nFull), "listener_drops": float64(listenerDrops)})
	fix := Fix{Advice: fmt.Sprintf("Make the application accept() faster (more acceptor threads, "+
		"less work before accept) and pass a larger backlog to listen(); the kernel clamps it "+
		"to net.core.somaxconn (%d here) when listen() is called, so raise that too if the "+
		"backlog is larger, then restart the service: a listener keeps the limit it got.", somaxconn)}
	if nFull > 0 && trend.rising() {
		size, arithmetic := backlogSize(limit, trend.perSec)
		ev["proposed_backlog"] = float64(size)
		fix.Advice += fmt.Sprintf(" Sized from the samples, a queue that holds one more second of "+
			"what is dropped now: %s. The application's listen() backlog is the real limit: "+
			"pass it at least %d.", arithmetic, size)
		if somaxconn < size {
			fix.Sysctl = map[string]string{keySomaxconn: fmt.Sprint(size)}
		}
	}
	return []Finding{{
		Severity:    sev,
		Title:       listenTitle(sev, trend, listenerDrops, f.CensusSource == audit.CensusNetlink),
		Observed:    strings.Join(obs, "; "),
		Expected:    "no full accept queue and no ListenOverflows or ListenDrops while the host is sampled",
		Explanation: listenOverflowWhy,
		Evidence:    ev,
		Subjects:    subjects,
		Fix:         fix,
	}}
}

// backlogSize is an accept queue that holds, on top of limit, one more
// second of the connections dropped per second now, rounded up to a power
// of two, and the arithmetic that gives it.
func backlogSize(limit int64, perSec float64) (int64, string) {
	need := limit + int64(math.Ceil(perSec))
	size := int64(1)
	for size < need {
		size <<= 1
	}
	return size, fmt.Sprintf("limit %d + %.1f drops/s × 1 s = %d, rounded up to %d", limit, perSec, need, size)
}

// listenTitle says whether connections are dropped now or were once.
func listenTitle(sev Severity, t counterTrend, listenerDrops int64, perListener bool) string {
	switch {
	case sev != Info:
		return "Connections are dropped at the listen queue"
	case perListener && listenerDrops == 0:
		return fmt.Sprintf("%d listen-queue drops %s, none on the current listeners", t.total, t.since)
	}
	return fmt.Sprintf("%d listen-queue drops %s; not known to happen now", t.total, t.since)
}

// maxNamedListeners bounds the full listeners the observation names and the
// listeners in trouble a finding lists as subjects: a host of 4,500 full
// listeners made an observation of 383 KB.
const maxNamedListeners = 10

// listenerState returns how many listeners have a full accept queue and
// the first maxNamedListeners of them described,
// the largest limit among them, the listeners that are full or dropped
// packets as subjects (with their owner when known), and the drops of all
// current listeners.
func listenerState(f *audit.Facts, somaxconn int64) (nFull int, full []string, fullLimit int64, subjects []Subject, drops int64) {
	for _, l := range f.Census.Listeners {
		drops += int64(l.Drops)
		limit, known := int64(l.Backlog), ", its backlog"
		if limit == 0 && f.CensusSource != audit.CensusNetlink {
			// /proc/net/tcp does not print the backlog: somaxconn caps
			// it, as it was when the listener called listen().
			limit, known = somaxconn, " if it listened under today's somaxconn"
		}
		isFull := l.AcceptQueue > 0 && int64(l.AcceptQueue) >= limit
		if isFull {
			fullLimit = max(fullLimit, limit)
			if nFull++; len(full) < maxNamedListeners {
				full = append(full, fmt.Sprintf("%s (accept queue %d, limit %d%s%s)", addrPort(l.Addr, l.Port), l.AcceptQueue, limit, known, ownerText(f, l.Inode)))
			}
		}
		if (isFull || l.Drops > 0) && len(subjects) < 2*maxNamedListeners {
			subjects = append(subjects, listenerSubject(f, l))
		}
	}
	return nFull, full, fullLimit, subjects, drops
}

// listenerSubject is a listener as a subject: address, accept queue, drops
// and the process holding it when known.
func listenerSubject(f *audit.Facts, l audit.Listener) Subject {
	s := Subject{Local: addrPort(l.Addr, l.Port), State: audit.Listen.String(), RecvQ: int(l.AcceptQueue), Drops: int64(l.Drops)}
	if h, ok := f.Owners.Holder(l.Inode); ok {
		s.PID, s.Command, s.Holders = h.PID, h.Command, h.Others
	}
	return s
}

// ownerText is ", held by pid N (cmd)" when the socket's owner is known.
func ownerText(f *audit.Facts, inode uint64) string {
	if h, ok := f.Owners.Holder(inode); ok {
		return fmt.Sprintf(", held by pid %d (%s)", h.PID, h.Command)
	}
	return ""
}

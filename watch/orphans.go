package watch

import (
	"time"

	"github.com/tcpaudit/tcpaudit/rules"
)

// orphanHold is how long an orphaned FIN_WAIT2 connection holds its local
// port after close(), by the namespace's tcp_fin_timeout fin
// (rules.OrphanHold; 0 is the default, 60 s).
func orphanHold(fin int) time.Duration {
	_, port := rules.OrphanHold(int64(fin))
	return time.Duration(port) * time.Second
}

// held is what connections toward one destination hold: TIME_WAIT
// entries created and orphans left unanswered, as rates.
type held struct {
	timeWait, orphans uint64
}

// heldByDestination sums, per destination, the TIME_WAIT entries created
// and the orphans handed to a FIN_WAIT2 tw sock that the peer's FIN did
// not turn into a TIME_WAIT (those are in the TIME_WAIT count) between
// two readings.
func heldByDestination(first, last Reading) map[Peer]held {
	sums := map[Peer]held{}
	for c := range last.TimeWait {
		d := Peer{Netns: c.Netns, Endpoint: c.Destination}
		h := sums[d]
		h.timeWait += delta(last.TimeWait, first.TimeWait, c)
		sums[d] = h
	}
	for c, l := range last.Orphans {
		d := Peer{Netns: c.Netns, Endpoint: c.Destination}
		f := first.Orphans[c]
		handed, answered := l.Handed-min(f.Handed, l.Handed), l.Answered-min(f.Answered, l.Answered)
		h := sums[d]
		h.orphans += handed - min(answered, handed)
		sums[d] = h
	}
	return sums
}

// orphansCreated is the orphans left unanswered over all destinations.
func orphansCreated(sums map[Peer]held) uint64 {
	var n uint64
	for _, h := range sums {
		n += h.orphans
	}
	return n
}

package audit

import (
	"maps"
	"slices"
	"sort"
)

// Owner is a process holding some of the sockets looked for.
type Owner struct {
	PID     int    `json:"pid"`
	Command string `json:"command"`
	Sockets int    `json:"sockets"`
	// Holders are the other processes holding the same sockets (a parent
	// and its forked children): the sockets are counted once, under PID.
	Holders []int `json:"holders,omitempty"`
}

// Holder is the process holding one socket: the lowest PID among those
// that hold it, and the others.
type Holder struct {
	PID     int
	Command string
	Others  []int
}

// Attribution maps a set of socket inodes to the processes holding them.
type Attribution struct {
	// Owners of the CLOSE_WAIT sockets, most sockets first; each socket
	// counts once, for its lowest holding PID.
	Owners []Owner
	// Unattributed counts CLOSE_WAIT inodes found in no readable process
	// and still in CLOSE_WAIT after the scan.
	Unattributed int
	// Closed counts CLOSE_WAIT inodes found in no process that were gone
	// after the scan: closed before they could be attributed.
	Closed int
	// Unreadable counts processes whose fd directory could not be read
	// (another user's process when not running as root).
	Unreadable int
	// Root is true when the scan ran as root: then the unreadable
	// processes are ones even root may not inspect (ptrace policy).
	Root bool
	// Holders maps attributed inodes to the processes holding them: every
	// inode for Attribute; for Gather the listeners in trouble, the sockets
	// toward heavy destinations and the MaxNamedSockets longest idle
	// CLOSE_WAIT sockets of Facts.CloseWaitInfo (for Sample, of those that
	// stayed through every sample), never one per CLOSE_WAIT socket.
	Holders map[uint64]Holder
	// Flows holds the owners of the ports toward the heavy destinations
	// (Census.HeavyFlows), each socket counted once; nil when none.
	Flows map[Flow][]Owner
	// Method says how the processes were read: a BPF iterator or the
	// scan of <pid>/fd.
	Method AttributionMethod
	// Batches is the number of passes over the processes (one per
	// AttributionBatch inodes).
	Batches int
	// Scoped is set when only the processes of the audited network
	// namespace were searched (one namespace of several, by the descriptor
	// scan; the iterator and the socket pass walk every process): a
	// process of another namespace holding one of its sockets is not seen.
	Scoped bool
}

// Holder returns the processes holding a socket, and whether any does;
// a nil Attribution knows none.
func (a *Attribution) Holder(inode uint64) (Holder, bool) {
	if a == nil {
		return Holder{}, false
	}
	h, ok := a.Holders[inode]
	return h, ok
}

// Owners attributes the CLOSE_WAIT sockets of wanted; see Attribute.
func (fsys FS) Owners(wanted map[uint64]struct{}) (Attribution, error) {
	inodes := make(map[uint64]State, len(wanted))
	for ino := range wanted {
		inodes[ino] = CloseWait
	}
	return fsys.Attribute(inodes)
}

// Attribute joins socket inodes, by state, on the processes holding them,
// with one pass over the processes per AttributionBatch inodes (see
// Processes). Processes that exit during the scan are skipped. A socket
// shared by several processes (after fork) is counted once, for the lowest
// PID, which lists the others as holders. Owners and Unattributed are
// about the CLOSE_WAIT inodes; Holders holds every inode found.
func (fsys FS) Attribute(inodes map[uint64]State) (Attribution, error) {
	if len(inodes) == 0 {
		return Attribution{}, nil
	}
	acc := newOwnerCount(func(uint64, State) bool { return true })
	set := NewInodeSet(inodes)
	sc := fsys.scanner(AllStates)
	defer sc.close()
	for lo := 0; lo < set.Len(); lo += AttributionBatch {
		hi := min(lo+AttributionBatch, set.Len())
		b, err := sc.scan(&InodeSet{v: set.v[lo:hi], mem: set.mem})
		if err != nil {
			return Attribution{}, err
		}
		acc.add(b)
	}
	return acc.result(), nil
}

// OwnersOf counts each socket of hs that keep accepts once, for its
// holder, which lists the other processes holding it; most sockets first.
func OwnersOf(hs map[uint64]Holder, keep func(inode uint64) bool) []Owner {
	byPID := make(map[int]*Owner)
	for _, ino := range slices.Sorted(maps.Keys(hs)) {
		h := hs[ino]
		if !keep(ino) {
			continue
		}
		count(byPID, h)
	}
	var out []Owner
	for _, o := range byPID {
		slices.Sort(o.Holders)
		out = append(out, *o)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Sockets != out[j].Sockets {
			return out[i].Sockets > out[j].Sockets
		}
		return out[i].PID < out[j].PID
	})
	return out
}

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
	// Holders maps each attributed inode (CLOSE_WAIT sockets, listeners
	// in trouble, sockets toward heavy destinations) to the processes
	// holding it.
	Holders map[uint64]Holder
	// Flows holds the owners of the ports toward the heavy destinations
	// (Census.HeavyFlows), each socket counted once; nil when none.
	Flows map[Flow][]Owner
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
// with one pass over <root>/<pid>/fd (see Processes). Processes that exit
// during the scan are skipped. A socket shared by several processes (after
// fork) is counted once, for the lowest PID, which lists the others as
// holders. Owners and Unattributed are about the CLOSE_WAIT inodes.
func (fsys FS) Attribute(inodes map[uint64]State) (Attribution, error) {
	var a Attribution
	if len(inodes) == 0 {
		return a, nil
	}
	pc, err := fsys.Processes(inodes)
	if err != nil {
		return a, err
	}
	a.Unreadable, a.Root = pc.Unreadable, pc.Root
	a.Holders = holders(pc)
	for ino, st := range inodes {
		if _, ok := a.Holders[ino]; !ok && st == CloseWait {
			a.Unattributed++
		}
	}
	a.Owners = OwnersOf(a.Holders, func(ino uint64) bool { return inodes[ino] == CloseWait })
	return a, nil
}

// holders returns, for each inode found, its lowest holding PID with its
// command, and the other PIDs.
func holders(pc ProcessCensus) map[uint64]Holder {
	commands := make(map[int]string, len(pc.Processes))
	for _, p := range pc.Processes {
		commands[p.PID] = p.Command
	}
	out := make(map[uint64]Holder, len(pc.Holders))
	for ino, pids := range pc.Holders {
		pids = slices.Compact(slices.Sorted(slices.Values(pids)))
		h := Holder{PID: pids[0], Command: commands[pids[0]]}
		if len(pids) > 1 {
			h.Others = slices.Clip(pids[1:])
		}
		out[ino] = h
	}
	return out
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
		o := byPID[h.PID]
		if o == nil {
			o = &Owner{PID: h.PID, Command: h.Command}
			byPID[h.PID] = o
		}
		o.Sockets++
		for _, pid := range h.Others {
			if !slices.Contains(o.Holders, pid) {
				o.Holders = append(o.Holders, pid)
			}
		}
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

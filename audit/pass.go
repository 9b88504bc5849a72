package audit

import (
	"cmp"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"

	"github.com/tcpaudit/tcpaudit/audit/nsiter"
)

// PassNote is the census note of a namespace whose census came from the
// socket pass instead of a walk of the kernel's table (see
// SocketPass.Namespace).
const PassNote = "socket census taken from one BPF pass over every process's descriptors (bpf-iter): net/sockstat and net/sockstat6 count no socket the pass did not see, so the kernel's table was not walked"

// MaxPassSockets bounds the sockets (and, apart, the further holders) a
// socket pass keeps, 72 bytes each: 9 MiB at most. A host with more TCP
// sockets walks each namespace's table instead, whose census streams.
const MaxPassSockets = 1 << 17

// ErrNoPass marks a socket pass that cannot be taken here.
var ErrNoPass = nsiter.ErrUnavailable

// SocketPass is every TCP socket some process holds, in every network
// namespace, from one BPF pass over every descriptor of every process
// (TakePass): a namespace whose sockets are all held by processes needs no
// walk of the kernel's table, which costs as much as every namespace's
// sockets (docs/kernel-facts.md §48).
type SocketPass struct {
	byNetns map[uint32]*PassSockets
	// hz is the kernel's CONFIG_HZ, which converts the idle times; 0 when
	// unknown.
	hz int
}

// PassSockets are the sockets of one namespace the pass saw: listeners
// first, each socket once, with every process holding it.
type PassSockets struct {
	sockets []nsiter.Socket
	holders []nsiter.Holder
	hz      int
	// keep holds the memory sockets lies in when it is not the Go heap's
	// (see TakePass), so that it lives as long as they do.
	keep any
	once sync.Once
	used bool
}

// Namespace returns the sockets of the namespace of nsfs inode ino (none
// when the pass saw none there), for Scope.Pass; nil for a nil pass.
func (p *SocketPass) Namespace(ino uint64) *PassSockets {
	if p == nil {
		return nil
	}
	if ns, ok := p.byNetns[uint32(ino)]; ok && uint64(uint32(ino)) == ino {
		return ns
	}
	return &PassSockets{hz: p.hz}
}

// Len returns the number of sockets the pass saw, in every namespace.
func (p *SocketPass) Len() int {
	n := 0
	for _, ns := range p.byNetns {
		n += len(ns.sockets)
	}
	return n
}

// newSocketPass groups the sockets of a pass by namespace: a socket
// written twice (the program's map of written sockets was full) counts
// once, its second holder kept.
func newSocketPass(sockets []nsiter.Socket, holders []nsiter.Holder, hz int, keep any) *SocketPass {
	slices.SortFunc(sockets, func(a, b nsiter.Socket) int {
		return cmp.Or(cmp.Compare(a.Netns, b.Netns), cmp.Compare(a.Inode, b.Inode))
	})
	p := &SocketPass{byNetns: make(map[uint32]*PassSockets), hz: hz}
	for i, s := range sockets {
		if i > 0 && sockets[i-1].Inode == s.Inode && sockets[i-1].Netns == s.Netns {
			holders = append(holders, nsiter.Holder{Netns: s.Netns, Inode: s.Inode, TGID: s.TGID})
		}
	}
	sockets = slices.CompactFunc(sockets, func(a, b nsiter.Socket) bool { return a.Inode == b.Inode && a.Netns == b.Netns })
	for len(sockets) > 0 {
		n := 1
		for n < len(sockets) && sockets[n].Netns == sockets[0].Netns {
			n++
		}
		group := slices.Clip(sockets[:n])
		slices.SortStableFunc(group, func(a, b nsiter.Socket) int { return cmp.Compare(listenerLast(a), listenerLast(b)) })
		p.byNetns[group[0].Netns] = &PassSockets{sockets: group, hz: hz, keep: keep}
		sockets = sockets[n:]
	}
	for _, h := range holders {
		if ns := p.byNetns[h.Netns]; ns != nil {
			ns.holders = append(ns.holders, h)
		}
	}
	return p
}

// listenerLast orders listeners first: 0 for a listener, 1 otherwise.
func listenerLast(s nsiter.Socket) int {
	if State(s.State) == Listen {
		return 0
	}
	return 1
}

// errPassShort is why a namespace's census was not taken from the pass.
var errPassShort = errors.New("the pass did not see every socket")

// covers reports whether the pass saw every socket of the namespace that
// a walk would show (docs/kernel-facts.md §49): net/sockstat's TCP
// inuse and net/sockstat6's TCP6 inuse, read now, after the pass, add up
// to the sockets the pass saw in a hashed state (any but CLOSE), TCP tw is
// 0, no listener has a request socket pending, and the idle time of the
// CLOSE_WAIT sockets can be told (CONFIG_HZ known). The first answer
// sticks, so that every census of one Gather agrees.
func (p *PassSockets) covers(fsys FS) bool {
	p.once.Do(func() { p.used = p.check(fsys) == nil })
	return p.used
}

// check returns nil when the pass saw every socket of the namespace, else
// why not.
func (p *PassSockets) check(fsys FS) error {
	defer runtime.KeepAlive(p) // p.keep holds the mapping p.sockets may lie in
	hashed := int64(0)
	for _, s := range p.sockets {
		switch {
		case s.Requests > 0:
			return fmt.Errorf("%w: a listener has %d requests pending", errPassShort, s.Requests)
		case State(s.State) == CloseWait && p.hz == 0:
			return fmt.Errorf("%w: CONFIG_HZ unknown", errPassShort)
		case State(s.State) != Close:
			hashed++
		}
	}
	st, err := fsys.Sockstat()
	if err != nil {
		return err
	}
	v4, ok4 := st.Get("TCP", "inuse")
	tw, okTW := st.Get("TCP", "tw")
	v6, ok6 := st.Get("TCP6", "inuse")
	if !ok4 || !okTW || !ok6 || tw != 0 || v4+v6 != hashed {
		return fmt.Errorf("%w: sockstat inuse %d+%d, tw %d; the pass saw %d", errPassShort, v4, v6, tw, hashed)
	}
	return nil
}

// replay adds the sockets of the pass to c as a netlink census would:
// listeners first, the states c counts, a listener's backlog and drops,
// the idle time of the CLOSE_WAIT sockets.
func (p *PassSockets) replay(c *Census) {
	var s Socket
	for i := range p.sockets {
		ps := &p.sockets[i]
		if State(ps.State) == Close || !c.Filter().Has(State(ps.State)) {
			continue
		}
		s = Socket{
			Local: ps.Local(), Remote: ps.Remote(), LocalPort: ps.LocalPort, RemotePort: ps.RemotePort,
			State: State(ps.State), RxQueue: ps.RxQueue, Inode: uint64(ps.Inode),
		}
		switch s.State {
		case Listen:
			s.Backlog, s.Drops = ps.Backlog, ps.Drops
		case CloseWait:
			s.IdleMs, s.HasInfo = uint32(min(jiffiesToMs(ps.IdleJiffies, p.hz), 1<<32-1)), true
		}
		c.Add(&s)
	}
	runtime.KeepAlive(p) // p.keep holds the mapping p.sockets may lie in
}

// jiffiesToMs converts jiffies to milliseconds as the kernel's
// jiffies_to_msecs does for a HZ that divides 1000 or that 1000 divides,
// rounded up otherwise.
func jiffiesToMs(j uint32, hz int) uint64 {
	switch {
	case hz <= 0:
		return 0
	case 1000%hz == 0:
		return uint64(j) * uint64(1000/hz)
	case hz%1000 == 0:
		return (uint64(j) + uint64(hz/1000) - 1) / uint64(hz/1000)
	}
	return (uint64(j)*1000 + uint64(hz) - 1) / uint64(hz)
}

// fill records in b the processes holding the sockets of the pass, as a
// scan of the processes would (see scanBPF).
func (p *PassSockets) fill(b *batchScan, root string) {
	h := b.hits()
	procs := make(map[uint32]*ProcessSockets)
	visit := func(tgid, ino uint32) {
		q := procs[tgid]
		if q == nil {
			q = &ProcessSockets{PID: int(tgid)}
		}
		h.add(q, uint64(ino))
		if q.States != nil {
			procs[tgid] = q
		}
	}
	for _, s := range p.sockets {
		visit(s.TGID, s.Inode)
	}
	for _, hd := range p.holders {
		visit(hd.TGID, hd.Inode)
	}
	for _, q := range procs {
		q.Command = readComm(filepath.Join(root, strconv.Itoa(q.PID), "comm"))
	}
	b.merge(h)
	b.method = AttributionBPF
}

// passUsed returns the pass's sockets of the namespace when its census
// came from them, else nil.
func (fsys FS) passUsed() *PassSockets {
	if fsys.scope == nil || fsys.scope.Pass == nil || !fsys.scope.Pass.covers(fsys) {
		return nil
	}
	return fsys.scope.Pass
}

// PassFor takes the socket pass for a census of n namespaces of the proc
// root whose source is src: one BPF pass over every process's descriptors
// that spares each namespace whose sockets it saw whole the walk of the
// kernel's table, which costs as much as every namespace's sockets
// (docs/kernel-facts.md §48). It is nil, and every namespace is walked, for
// fewer than two namespaces, a source other than auto, a proc root other
// than the live /proc, or where the pass cannot be taken (see TakePass).
func PassFor(src CensusSource, procRoot string, n int) *SocketPass {
	if n < 2 || (src != "" && src != CensusAuto) || !IsLive(procRoot) {
		return nil
	}
	p, err := TakePass()
	if err != nil {
		return nil
	}
	return p
}

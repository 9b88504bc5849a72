package audit

// batches calls fn with set (and extra, in the first batch only), then,
// while the census behind set left inodes out for the AttributionBatch
// bound, with the next batch: a census of the states again, keeping the
// smallest inodes above the last batch. Sockets
// opened meanwhile with inodes below the last batch are not seen; closed
// ones are not found in any process (see StillCloseWait).
func (fsys FS) batches(src CensusSource, states StateSet, set *InodeSet, more bool, extra []*InodeSet, fn func(...*InodeSet) error) error {
	for {
		batch := append([]*InodeSet{set}, extra...)
		extra = nil
		if err := fn(batch...); err != nil {
			return err
		}
		if !more || set.Len() == 0 {
			return nil
		}
		var err error
		if set, more, err = fsys.nextBatch(src, states, set.last()); err != nil {
			return err
		}
	}
}

// nextBatch takes a census of the sockets in states with inodes above
// floor and returns the smallest AttributionBatch of them, and whether
// there are more.
func (fsys FS) nextBatch(src CensusSource, states StateSet, floor uint32) (*InodeSet, bool, error) {
	cw := states == StatesOf(CloseWait)
	opt := withInodesAbove(floor)
	if cw {
		opt = withCloseWaitAbove(floor)
	}
	c := NewCensus(1, 0, WithoutCloseWait(), OnlyStates(states), opt)
	if _, err := fsys.Census(c, src); err != nil {
		return nil, false, err
	}
	if cw {
		return c.CloseWaitSet(), c.MoreCloseWait(), nil
	}
	return c.InodeSet(), c.MoreInodes(), nil
}

// ProcessesOf counts for each process the sockets c kept, by state: every
// socket with an inode when c was made WithInodes, its CLOSE_WAIT sockets
// otherwise. It takes AttributionBatch inodes per pass over the processes,
// further batches from new censuses with src (the source c came from), so
// its memory does not grow with the sockets: the result has no Holders,
// and Unheld lists the first CLOSE_WAIT inodes no process held.
func (fsys FS) ProcessesOf(c *Census, src CensusSource) (ProcessCensus, error) {
	sc := fsys.scanner(0)
	defer sc.close()
	return fsys.processesOf(c, src, sc)
}

// processesOf is ProcessesOf reading the processes with sc.
func (fsys FS) processesOf(c *Census, src CensusSource, sc *scanner) (ProcessCensus, error) {
	if pc, ok := fsys.processesCompact(c, sc); ok {
		return pc, nil
	}
	if pc, ok := fsys.processesCompactFD(c, sc); ok {
		return pc, nil
	}
	set, more, states := c.CloseWaitSet(), c.MoreCloseWait(), StatesOf(CloseWait)
	if c.inodes != nil {
		set, more, states = c.InodeSet(), c.MoreInodes(), c.Filter()
	}
	pc := ProcessCensus{Root: isRoot()}
	procs := make(map[int]*ProcessSockets)
	sc.states = states
	sc.whole = StatesOf(CloseWait) // the batch holds every CLOSE_WAIT socket it wants
	err := fsys.batches(src, states, set, more, nil, func(sets ...*InodeSet) error {
		b, err := sc.scan(sets...)
		if err != nil {
			return err
		}
		pc.addBatch(b, procs)
		return nil
	})
	if err != nil {
		return pc, err
	}
	pc.Scoped = fsys.scopedBy(pc.Method)
	for _, p := range procs {
		pc.Processes = append(pc.Processes, *p)
	}
	sortProcesses(pc.Processes)
	return pc, nil
}

// addBatch adds the counts of one batch to pc and procs.
func (pc *ProcessCensus) addBatch(b *batchScan, procs map[int]*ProcessSockets) {
	pc.Method = b.method
	pc.Unreadable = max(pc.Unreadable, b.unreadable)
	b.each(func(_ int, ino uint32, st State, _ Holder, held bool) {
		if held {
			return
		}
		pc.Unattributed++
		if st == CloseWait && pc.Unheld.Len() < AttributionBatch {
			if pc.Unheld == nil {
				pc.Unheld = &InodeList{}
			}
			pc.Unheld.add(ino) // the batches come in ascending order
		}
	})
	for pid, p := range b.procs {
		q := procs[pid]
		if q == nil {
			procs[pid] = p
			continue
		}
		q.Total += p.Total
		for st, n := range p.States {
			q.States[st] += n
		}
	}
}

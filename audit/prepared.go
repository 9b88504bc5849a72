package audit

// Prepared is an attribution made ready before the census it will
// attribute: where the processes will be read with the BPF iterator, the
// iterator is loaded and the memory its loader used returned to the
// system, so that the peak of a run is the larger of the load and the
// census, not their sum (docs/benchmarks.md). Close it when done.
type Prepared struct {
	fsys FS
	sc   *scanner
}

// PrepareAttribution loads what ProcessesOf will read the processes with,
// before the census is taken. A failure to load is kept for the first
// batch, which then falls back as FS.ProcessesOf would.
func (fsys FS) PrepareAttribution() *Prepared {
	p := &Prepared{fsys: fsys, sc: fsys.scanner(0)}
	p.sc.preload()
	return p
}

// Err is the error of an attribution that cannot run as asked: the BPF
// iterator asked for by name (--attribution bpf) and unavailable here.
// A failure of auto is not one: its first batch falls back.
func (p *Prepared) Err() error { return p.sc.unavailable() }

// CheckAttribution returns the error a census under procRoot would meet
// attributing with mode m: the BPF iterator asked for by name (bpf) and
// unavailable here; nil for every other mode. Commands that audit several
// namespaces ask first, so that the error is not taken for a namespace's
// (an iterator refused for want of privilege is not a namespace that may
// not be entered).
func CheckAttribution(procRoot string, m AttributionMode) error {
	if m != AttributionBPF {
		return nil
	}
	fsys, err := NewFS(procRoot)
	if err != nil {
		return err
	}
	p := fsys.WithAttribution(m).PrepareAttribution()
	defer p.Close()
	return p.Err()
}

// ProcessesOf is FS.ProcessesOf with the prepared iterator.
func (p *Prepared) ProcessesOf(c *Census, src CensusSource) (ProcessCensus, error) {
	return p.fsys.processesOf(c, src, p.sc)
}

// CensusOption makes the census of the sockets ProcessesOf will attribute
// start the attribution's walk of the processes at its first CLOSE_WAIT
// socket, so that the two walks run at once (see earlyRun). Only for a
// census whose CLOSE_WAIT sockets are attributed right after it: a later
// attribution would pair them with holders found before.
func (p *Prepared) CensusOption() CensusOption { return withEarlyRun(p.sc) }

// Close unloads the iterator, if it was loaded; a nil Prepared does
// nothing.
func (p *Prepared) Close() {
	if p != nil {
		p.sc.close()
	}
}

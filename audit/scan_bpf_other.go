//go:build !linux || tcpaudit_portable

package audit

// bpfScan stands for the iterator this build does not have.
type bpfScan struct{}

func (*bpfScan) close() {}

// scanBPF has no iterator to run here: the error wraps ErrNoIterator.
func (*scanner) scanBPF(*batchScan) error { return ErrNoIterator }

// preload has no iterator to load here: a scanner that wants it knows
// why at once.
func (s *scanner) preload() {
	if s.willScanBPF() {
		s.noBPF = ErrNoIterator
	}
}

// earlyRun stands for the early run this build does not have.
type earlyRun struct{}

// startEarly has no iterator to start here.
func (*scanner) startEarly() {}

// stopEarly has no run to stop here.
func (*scanner) stopEarly() {}

// canStartEarly is false: no iterator here.
func (*scanner) canStartEarly() bool { return false }

// processesCompact has no early run to join here.
func (FS) processesCompact(*Census, *scanner) (ProcessCensus, bool) { return ProcessCensus{}, false }

// joinBPF has no iterator to run here.
func (*scanner) joinBPF(*ownerJoin, *batchScan, StateSet) error { return ErrNoIterator }

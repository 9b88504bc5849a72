//go:build !linux || tcpaudit_portable

package audit

// scanBPF has no iterator to run here: the error wraps ErrNoIterator.
func (fsys FS) scanBPF(*batchScan) error { return ErrNoIterator }

//go:build linux

package nsiter

import (
	"errors"
	"fmt"
	"io"

	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/tcpaudit/tcpaudit/internal/memlock"
)

// Run loads the program with room for room distinct sockets in its map of
// those already written (more are written whole again, for Decode's
// caller to merge), runs the iterator once, passes its records to sock
// and holder (see Decode) and unloads it. It needs Linux 5.11, root (or
// CAP_BPF and CAP_PERFMON) and the kernel's BTF; errors of loading and
// attaching wrap ErrUnavailable.
func Run(room int, sock func(*Socket), holder func(Holder)) error {
	_ = memlock.Raise() // kernels before 5.11 charge maps to RLIMIT_MEMLOCK
	spec, err := loadNsiter()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	spec.Maps[nsiterMapSeen].MaxEntries = uint32(max(room, 1))
	var objs nsiterObjects
	if err := spec.LoadAndAssign(&objs, nil); err != nil {
		return fmt.Errorf("%w: load: %w", ErrUnavailable, err)
	}
	defer objs.Close()
	l, err := link.AttachIter(link.IterOptions{Program: objs.TcpSockets})
	if err != nil {
		return fmt.Errorf("%w: attach: %w", ErrUnavailable, err)
	}
	defer l.Close()
	rd, err := l.Open()
	if err != nil {
		return fmt.Errorf("%w: open: %w", ErrUnavailable, err)
	}
	defer rd.Close()
	return Decode(retryAgain{r: rd}, sock, holder)
}

// maxAgain bounds the reads that return EAGAIN in a row: each one is the
// kernel having walked a million files without output
// (docs/kernel-facts.md §28), so the bound stands for 10^10 files.
const maxAgain = 10000

// retryAgain reads again when the iterator's read returns EAGAIN.
type retryAgain struct{ r io.Reader }

func (r retryAgain) Read(p []byte) (int, error) {
	for range maxAgain {
		n, err := r.r.Read(p)
		if n == 0 && errors.Is(err, unix.EAGAIN) {
			continue
		}
		return n, err
	}
	return 0, fmt.Errorf("read the iterator: EAGAIN %d times in a row", maxAgain)
}

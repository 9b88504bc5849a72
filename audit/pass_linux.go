//go:build linux && !tcpaudit_portable

package audit

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit/nsiter"
	"github.com/tcpaudit/tcpaudit/internal/offheap"
)

// TakePass takes the socket pass (see SocketPass) on the live host from
// the initial PID namespace, where the iterator sees every process; it
// needs what loading a BPF program needs (root or CAP_BPF with
// CAP_PERFMON, the kernel's BTF, Linux 5.11). It keeps at most
// MaxPassSockets sockets: a host with more TCP sockets gets no pass, so
// that memory stays bounded whatever the sockets. Otherwise the error
// wraps ErrNoPass.
func TakePass() (*SocketPass, error) {
	if !initialPIDNamespace() {
		return nil, fmt.Errorf("%w: this process runs outside the initial PID namespace", ErrNoPass)
	}
	alloc := allocatedTCP()
	if alloc > MaxPassSockets {
		return nil, fmt.Errorf("%w: %d TCP sockets on the host, more than %d", ErrNoPass, alloc, MaxPassSockets)
	}
	// Sized once (growing a slice of 100,000 sockets, 7 MB, would hold the
	// old array and the new one at once), off the Go heap: 7 MB of sockets
	// on the heap left the collector of a one-shot command a goal of 3 MB
	// and it ran without pause (81 cycles in a check of 50 namespaces,
	// twice its user time).
	sockets, keep := offheap.Make[nsiter.Socket](alloc)
	var holders []nsiter.Holder
	over := false
	err := nsiter.Run(openFiles(), func(s *nsiter.Socket) {
		if over = over || len(sockets) == MaxPassSockets; !over {
			sockets = append(sockets, *s)
		}
	}, func(h nsiter.Holder) {
		if over = over || len(holders) == MaxPassSockets; !over {
			holders = append(holders, h)
		}
	})
	switch {
	case err != nil:
		return nil, err
	case over:
		return nil, fmt.Errorf("%w: more than %d TCP sockets or holders", ErrNoPass, MaxPassSockets)
	}
	return newSocketPass(sockets, holders, kernelHZ(), keep), nil
}

// openFiles returns the open files of the host (sys/fs/file-nr) plus a
// margin: the sockets the pass may meet, the size of its map.
func openFiles() int {
	b, err := readSmall("/proc/sys/fs/file-nr")
	if err != nil {
		return 1 << 16
	}
	var n int
	if _, err := fmt.Sscan(string(b), &n); err != nil {
		return 1 << 16
	}
	return n + n/4 + 1024
}

// allocatedTCP returns the TCP sockets allocated on the host (net/sockstat
// TCP alloc, the same in every namespace, docs/kernel-facts.md §36): at
// least the sockets the pass can meet, unless some open meanwhile. It is
// 0 when unknown, at most 4,194,304.
func allocatedTCP() int {
	f, err := os.Open("/proc/net/sockstat")
	if err != nil {
		return 0
	}
	defer f.Close()
	st := make(Sockstat)
	if ParseSockstat(f, st) != nil {
		return 0
	}
	n, _ := st.Get("TCP", "alloc")
	return int(min(max(n, 0), 1<<22))
}

// kernelHZ returns the running kernel's CONFIG_HZ from /proc/config.gz or
// /boot/config-RELEASE, 0 when neither tells.
func kernelHZ() int {
	if f, err := os.Open("/proc/config.gz"); err == nil {
		defer f.Close()
		if zr, err := gzip.NewReader(f); err == nil {
			if hz := ParseHZ(io.LimitReader(zr, 1<<22)); hz > 0 {
				return hz
			}
		}
	}
	rel, err := readSmall("/proc/sys/kernel/osrelease")
	if err != nil {
		return 0
	}
	f, err := os.Open("/boot/config-" + strings.TrimSpace(string(rel)))
	if err != nil {
		return 0
	}
	defer f.Close()
	return ParseHZ(io.LimitReader(f, 1<<22))
}

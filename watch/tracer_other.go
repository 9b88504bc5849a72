//go:build !linux || tcpaudit_portable

package watch

import "fmt"

// OpenBPF reports that this build has no BPF tracer.
func OpenBPF(netns uint32) (Tracer, error) {
	return nil, fmt.Errorf("%w: BPF tracing needs a Linux build", ErrUnavailable)
}

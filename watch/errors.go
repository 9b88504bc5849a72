package watch

import "errors"

// ErrUnavailable marks a kernel or build without the BPF tracer: the
// caller can sample the socket census instead.
var ErrUnavailable = errors.New("BPF tracing unavailable")

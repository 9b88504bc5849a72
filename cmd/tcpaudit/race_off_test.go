//go:build !race

package main

import "time"

// raceDetector is true when the tests run under the race detector, which
// slows every goroutine several times: latency bounds are not checked then.
const raceDetector = false

// healthzTimeout is how long a probe of /healthz may take before it fails.
const healthzTimeout = 2 * time.Second

// Command tcpaudit audits a Linux host's TCP connection lifecycle and network
// sysctls and explains what to change.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"syscall"
)

func main() {
	growStack()
	limitMemory(os.Args[1:])
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// shortRunMemory is the soft memory limit of a one-shot command: the Go
// heap of a census of a million sockets stays under 4 MiB, and without a
// limit the collector first runs at a 4 MiB heap and lets it double. A
// soft limit only makes the collector run sooner (GOMEMLIMIT overrides it).
// At 10 MiB the runtime's own memory after loading the BPF iterator left
// a 2 MiB heap goal and the collector ran about 230 times in a `check` of
// a million sockets, for no lower peak; measured in docs/benchmarks.md.
const shortRunMemory = 12 << 20

// limitMemory sets shortRunMemory for the commands that run once; serve
// and watch run for long and keep the runtime's defaults, and so does
// snapshot, which lists every socket descriptor it copies (about 100 bytes
// each: under the limit the collector ran without pause, a third of the
// CPU of a snapshot of 100,000 sockets).
func limitMemory(args []string) {
	if os.Getenv("GOMEMLIMIT") != "" || slices.ContainsFunc(args, func(a string) bool { return a == "serve" || a == "watch" || a == "snapshot" }) {
		return
	}
	debug.SetMemoryLimit(shortRunMemory)
}

// growStack grows the main goroutine's stack at once, while it is
// shallow, to the size a command's deepest calls need. Each growth copies
// the stack and reads the stack map and PC tables of every frame on it:
// grown step by step inside the census, the rules and the report, the
// main goroutine's growths faulted in pages of the executable's
// .gopclntab that stayed resident, 0.2-0.4 MiB of the peak of `sockets`
// (docs/benchmarks.md).
//
//go:noinline
func growStack() byte {
	var b [96 << 10]byte
	for i := range b {
		b[i] = byte(i)
	}
	return b[len(b)-1]
}

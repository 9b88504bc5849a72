// Command sockgen fills a network namespace it creates with TCP sockets on
// loopback, a given number per state, for benchmarks of the socket census:
//
//	sockgen -netns NAME -established N -time-wait N -close-wait N -ready FILE
//
// It creates the namespace, sets its sysctls (tcp_tw_reuse 0 so that no
// TIME_WAIT socket is taken over, tcp_max_tw_buckets above the plan), then
// re-runs itself inside it, split across child processes that each hold at
// most 18000 descriptors. When every child is done it writes the socket
// counts to FILE and waits for SIGINT or SIGTERM; then it stops the
// children and deletes the namespace. Root and ip(8) are needed.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are sockgen's flags.
type options struct {
	netns, ready string
	children     int
	dsts         int
	child        int // -1 in the parent
	inside       bool
	established  int
	timeWait     int
	closeWait    int
}

// run parses the flags and runs sockgen in its role (outside the namespace,
// its parent inside, or a child) until SIGINT or SIGTERM.
func run(args []string, stdout, stderr io.Writer) int {
	var o options
	fs := flag.NewFlagSet("sockgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.netns, "netns", "", "name of the network namespace to create (required)")
	fs.StringVar(&o.ready, "ready", "", "file written when every socket exists")
	fs.IntVar(&o.children, "children", 2, "least number of child processes")
	fs.IntVar(&o.dsts, "dsts", 192, "destination addresses in all, shared out between the children (so the census sees the same number of destinations at any size)")
	fs.IntVar(&o.established, "established", 0, "ESTABLISHED sockets (connected pairs)")
	fs.IntVar(&o.timeWait, "time-wait", 0, "TIME_WAIT sockets (they last 60 s)")
	fs.IntVar(&o.closeWait, "close-wait", 0, "CLOSE_WAIT sockets, each with a FIN_WAIT2 peer")
	fs.IntVar(&o.child, "child", -1, "internal: run as child number N inside the namespace")
	fs.BoolVar(&o.inside, "inside", false, "internal: run as the parent inside the namespace")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch {
	case o.child >= 0:
		err = runChild(ctx, o, stdout)
	case o.inside:
		err = runInside(ctx, o, stdout)
	case o.netns == "":
		err = fmt.Errorf("-netns is required")
	default:
		err = runOutside(ctx, o, args, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "sockgen: %v\n", err)
		return 1
	}
	return 0
}

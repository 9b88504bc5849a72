package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/audit"
)

// socketsOptions are the settings of `tcpaudit sockets`.
type socketsOptions struct {
	State    string        `mapstructure:"state"`
	By       string        `mapstructure:"by"`
	Top      int           `mapstructure:"top"`
	Format   string        `mapstructure:"format"`
	ProcRoot string        `mapstructure:"proc-root"`
	NoOwners bool          `mapstructure:"no-owners"`
	NoColor  bool          `mapstructure:"no-color"`
	Sampling sampleOptions `mapstructure:",squash"`
}

func newSocketsCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sockets",
		Short: "Count TCP sockets by state, listener, destination, remote endpoint or process",
		Long: "sockets takes a census of the TCP sockets of this network namespace (over netlink\n" +
			"sock_diag on the live host, from net/tcp and net/tcp6 under --proc-root otherwise)\n" +
			"and prints counts per state, listeners with their accept-queue fill, ephemeral-port\n" +
			"use per destination, the top remote endpoints and the processes holding CLOSE_WAIT\n" +
			"sockets.\n" +
			"--by port|remote|process ranks local ports, remote endpoints or processes instead.",
		Args: cobra.NoArgs,
	}
	f := cmd.Flags()
	f.String("state", "", "count only sockets in this state (close-wait, time-wait, ...)")
	f.String("by", "state", "grouping: state, port, remote or process")
	f.Int("top", 10, "rows to print per ranking")
	f.String("format", "text", "output format: text or json")
	f.String("proc-root", "/proc", "directory that mirrors /proc (a snapshot or a host's /proc)")
	f.Bool("no-owners", false, "do not look up the processes holding CLOSE_WAIT sockets")
	f.Bool("no-color", false, "disable colour (NO_COLOR is honoured too)")
	addSampleFlags(f)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		v, err := bindFlags(cmd)
		if err != nil {
			return &codeError{code: exitError, err: err}
		}
		var o socketsOptions
		if err := v.Unmarshal(&o); err != nil {
			return usageError("options: %w", err)
		}
		return runSockets(cmd.Context(), s, o)
	}
	return cmd
}

// socketView is what sockets prints, in either format.
type socketView struct {
	Source    string
	Elapsed   time.Duration
	State     audit.State // 0 when every state is counted
	Census    *audit.Census
	Processes *audit.ProcessCensus
	Stuck     *stuck
	Rates     []audit.Rate
	Notes     []string
}

// stuck is the CLOSE_WAIT sockets that lasted through every sample.
type stuck struct {
	Sockets  int
	Samples  int
	Duration time.Duration
}

func runSockets(ctx context.Context, s streams, o socketsOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	src, err := o.Sampling.census()
	if err != nil {
		return err
	}
	view, err := takeSockets(o, src)
	if err != nil {
		return err
	}
	if o.Sampling.Samples > 1 {
		if err := sampleSockets(ctx, s, o, view); err != nil {
			return err
		}
	}
	if err := attribute(o, view); err != nil {
		return err
	}
	if o.Format == "json" {
		return writeSocketsJSON(s.out, view, o.Top)
	}
	color := s.tty && !o.NoColor && os.Getenv("NO_COLOR") == ""
	return writeSocketsText(s.out, view, o, color)
}

func (o socketsOptions) validate() error {
	switch o.By {
	case "state", "port", "remote", "process":
	default:
		return usageError("--by %q: want state, port, remote or process", o.By)
	}
	if o.Format != "text" && o.Format != "json" {
		return usageError("--format %q: want text or json", o.Format)
	}
	if o.Top < 1 {
		return usageError("--top %d: want 1 or more", o.Top)
	}
	if o.State != "" {
		if _, ok := audit.ParseState(o.State); !ok {
			return usageError("--state %q: not a TCP state (try close-wait, time-wait, established, listen)", o.State)
		}
	}
	return nil
}

// takeSockets takes the census with the aggregates --by needs.
func takeSockets(o socketsOptions, src audit.CensusSource) (*socketView, error) {
	lo, hi, err := audit.ReadPortRange(o.ProcRoot)
	if err != nil {
		return nil, &codeError{code: exitError, err: err}
	}
	c := newSocketsCensus(o, lo, hi)
	v := &socketView{Census: c}
	co := audit.CensusOptions{ProcRoot: o.ProcRoot, Source: src}
	if o.State != "" {
		v.State, _ = audit.ParseState(o.State)
		co.States = audit.StatesOf(v.State)
		c.Only = co.States
	}
	start := time.Now()
	used, note, err := audit.TakeCensus(co, c)
	if err != nil {
		return nil, &codeError{code: exitError, err: fmt.Errorf("socket census: %w", err)}
	}
	v.Source, v.Elapsed = string(used), time.Since(start)
	if note != "" {
		v.Notes = append(v.Notes, note)
	}
	return v, nil
}

// newSocketsCensus makes a census with the optional aggregates the view
// needs, and without the CLOSE_WAIT inodes when nothing will use them.
func newSocketsCensus(o socketsOptions, lo, hi uint16) *audit.Census {
	c := audit.NewCensus(lo, hi)
	switch o.By {
	case "port":
		c.Ports = new([65536]uint32)
	case "remote", "state":
		// Bounded (Space-Saving): the census memory does not grow with
		// the number of distinct remote endpoints.
		c.Remotes = audit.NewTopK(max(1000, 10*o.Top))
	case "process":
		c.Inodes = make(map[uint64]audit.State)
	}
	if (o.By != "state" || o.NoOwners) && o.Sampling.Samples == 1 {
		c.CloseWait = nil // neither attributed nor sampled: do not keep inodes
	}
	return c
}

// attribute finds the processes holding the sockets: those of every
// state for --by process; for --by state the CLOSE_WAIT sockets, when
// there are any and --no-owners is not given.
func attribute(o socketsOptions, v *socketView) error {
	inodes := v.Census.Inodes
	if o.By != "process" {
		if o.By != "state" || o.NoOwners || len(v.Census.CloseWait) == 0 {
			return nil
		}
		inodes = make(map[uint64]audit.State, len(v.Census.CloseWait))
		for ino := range v.Census.CloseWait {
			inodes[ino] = audit.CloseWait
		}
	}
	pc, err := audit.AttributeStates(o.ProcRoot, inodes)
	if err != nil {
		v.Notes = append(v.Notes, "process attribution failed: "+err.Error())
		return nil
	}
	v.Processes = &pc
	if pc.Unattributed > 0 {
		v.Notes = append(v.Notes, unattributedNote(pc, o.ProcRoot))
	}
	return nil
}

// unattributedNote says why some sockets have no owner: processes that
// could not be read, or no process under the proc root holding them
// (closed since the census, or held in another PID namespace).
func unattributedNote(pc audit.ProcessCensus, root string) string {
	socks := counted(pc.Unattributed, "socket", "sockets") + " not attributed to a process: "
	procs := counted(pc.Unreadable, "process", "processes")
	switch {
	case pc.Unreadable > 0 && pc.Root:
		return socks + procs + " could not be read, even as root (their descriptors are denied to this process)"
	case pc.Unreadable > 0:
		return socks + procs + " could not be read (run as root)"
	}
	return socks + "no process under " + root + " holds them (closed since the census, or held in another PID namespace)"
}

// counted is "1 socket" or "N sockets".
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

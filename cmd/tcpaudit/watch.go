package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/watch"
)

// watchOptions are the settings of `tcpaudit watch`.
type watchOptions struct {
	Duration     time.Duration `mapstructure:"duration"`
	Interval     time.Duration `mapstructure:"interval"`
	Top          int           `mapstructure:"top"`
	textOrJSON   `mapstructure:",squash"`
	Source       string        `mapstructure:"source"`
	Netns        string        `mapstructure:"netns"`
	AllNetns     bool          `mapstructure:"all-netns"`
	ProcRoot     string        `mapstructure:"proc-root"`
	FailOn       string        `mapstructure:"fail-on"`
	NoColor      bool          `mapstructure:"no-color"`
	CloseWaitAge time.Duration `mapstructure:"close-wait-age"`
	// failOn is FailOn parsed by validate; 0 for never.
	failOn rules.Severity
}

var _ validator = (*watchOptions)(nil)

func newWatchCmd(s streams) *cobra.Command {
	cmd := command("watch", help("watch"), cobra.NoArgs, withOptions(s, runWatch))
	f := cmd.Flags()
	f.Duration("duration", 30*time.Second, "how long to watch")
	f.Duration("interval", time.Second, "time between readings (refresh of the view on a terminal, samples without BPF)")
	f.Int("top", 10, "rows to print per ranking")
	addTextOrJSONFlag(f)
	f.String("source", "auto", "what to read: auto (BPF, else samples), bpf or sample (samples see this process's network namespace only: not with --netns or --all-netns)")
	f.Var(new(netnsSpec), "netns", "watch this network namespace: a name under /run/netns, a PID or a path (default: this process's)")
	f.Bool("all-netns", false, "watch every network namespace")
	f.String("proc-root", "/proc", "the live host's /proc (namespace files, port range, samples)")
	f.String("fail-on", "warning", "lowest severity that makes the exit code 1: info, warning, critical or never")
	f.Bool("no-color", false, "disable colour (NO_COLOR is honoured too)")
	f.Duration("close-wait-age", time.Minute, "a socket in CLOSE_WAIT longer than this is a finding")
	return cmd
}

func (o *watchOptions) validate() error {
	if err := o.textOrJSON.validate(); err != nil {
		return err
	}
	switch {
	case o.Duration <= 0:
		return fmt.Errorf("--duration %s: want a positive duration", o.Duration)
	case o.Interval <= 0:
		return fmt.Errorf("--interval %s: want a positive duration", o.Interval)
	case o.Top < 1:
		return fmt.Errorf("--top %d: want 1 or more", o.Top)
	case o.Source != "auto" && o.Source != "bpf" && o.Source != "sample":
		return fmt.Errorf("--source %q: want auto, bpf or sample", o.Source)
	case o.AllNetns && o.Netns != "":
		return errors.New("--netns and --all-netns both choose the namespace: give one")
	}
	failOn, err := parseFailOn(o.FailOn)
	if err != nil {
		return fmt.Errorf("--fail-on: %w", err)
	}
	o.failOn = failOn
	return nil
}

// runWatch reads the tracer every --interval for --duration (or until
// interrupted), refreshing the view on a terminal, then writes the report.
func runWatch(ctx context.Context, s streams, _ []string, o watchOptions) error {
	keys, watched, err := o.namespaceKeys(ctx)
	if err != nil {
		return err
	}
	for _, n := range keys.notes {
		fmt.Fprintf(s.err, "tcpaudit watch: %s\n", report.Escape(n))
	}
	tr, wo, err := o.open(watched, keys.keys)
	if err != nil {
		return err
	}
	wo.Watched = keys.chosen
	defer tr.Close()
	first, err := watch.Baseline(tr, time.Now())
	if err != nil {
		return err
	}
	last, err := o.loop(ctx, s, tr, first, wo, keys)
	if err != nil {
		return err
	}
	if err := o.attribute(ctx, last); err != nil {
		return err
	}
	if err := keys.cover(ctx, last); err != nil {
		return err
	}
	r := watch.Summarize(first, last, wo)
	if o.Format == "json" {
		err = report.WatchJSON{}.Write(s.out, r)
	} else {
		err = report.WatchText{Color: s.color(o.NoColor)}.Write(s.out, r)
	}
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if o.failOn > 0 && (rules.Result{Findings: r.Findings}).Worst() >= o.failOn {
		return errFindings
	}
	return nil
}

// attribute names the processes of CLOSE_WAIT sockets no process moved
// while watched, in this process's namespace and, when other namespaces
// hold such sockets, in each of them (watch.AttributeAll).
func (o watchOptions) attribute(ctx context.Context, last watch.Reading) error {
	self, err := watch.NamespaceInode(o.ProcRoot, "self")
	if err != nil {
		return err
	}
	return watch.AttributeAll(ctx, o.ProcRoot, self, last.Live, func() ([]netns.Namespace, error) {
		nss, _, _, err := netnsOptions{AllNetns: true}.namespaces(o.ProcRoot)
		return nss, err
	})
}

// loop reads until the duration is over or ctx is done and returns the
// last reading.
func (o watchOptions) loop(ctx context.Context, s streams, tr watch.Tracer, first watch.Reading, wo watch.Options, keys *watchedKeys) (watch.Reading, error) {
	tick := time.NewTicker(o.Interval)
	defer tick.Stop()
	end := time.NewTimer(o.Duration)
	defer end.Stop()
	live := s.tty && o.Format == "text"
	for {
		select {
		case <-ctx.Done():
			return tr.Read(time.Now())
		case <-end.C:
			if live {
				fmt.Fprint(s.out, clearScreen)
			}
			return tr.Read(time.Now())
		case <-tick.C:
			cur, err := tr.Read(time.Now())
			if err == nil {
				err = keys.cover(ctx, cur)
			}
			if err != nil {
				return cur, err
			}
			o.show(s, live, watch.Summarize(first, cur, wo))
		}
	}
}

// clearScreen moves the cursor home and clears the terminal.
const clearScreen = "\x1b[H\x1b[2J"

// show refreshes the live view on a terminal, or prints the progress on
// stderr when it is one.
func (o watchOptions) show(s streams, live bool, r watch.Report) {
	switch {
	case live:
		fmt.Fprint(s.out, clearScreen)
		_ = report.WatchText{Color: s.color(o.NoColor)}.Write(s.out, r)
	case isTerminal(s.err):
		fmt.Fprintf(s.err, "\rwatching %.0f/%.0f s", r.ElapsedS, o.Duration.Seconds())
	}
}

// open starts the tracer the options choose on the namespace with inode
// watched (0: every one), BPF falling back to samples under --source auto,
// and returns it with the report options, which judge each namespace by
// its keys.
func (o watchOptions) open(watched uint32, keys map[uint32]watch.Keys) (watch.Tracer, watch.Options, error) {
	wo := watch.Options{Top: o.Top, Limits: watch.DefaultLimits(), Netns: watched, Namespaces: keys}
	wo.Limits.CloseWaitAge = o.CloseWaitAge
	if o.Source != "sample" {
		tr, err := watch.OpenBPF(wo.Netns)
		if err == nil || o.Source == "bpf" || !errors.Is(err, watch.ErrUnavailable) {
			return tr, wo, err
		}
		wo.Note = fmt.Sprintf("sampled the socket census every %s because %v: no transitions or events, TIME_WAIT creation estimated as count / 60 s", o.Interval, err)
	} else {
		wo.Note = fmt.Sprintf("sampled the socket census every %s (--source sample): no transitions or events, TIME_WAIT creation estimated as count / 60 s", o.Interval)
	}
	return o.sampler(wo)
}

// sampler opens the census sampler, which sees this process's namespace.
func (o watchOptions) sampler(wo watch.Options) (watch.Tracer, watch.Options, error) {
	self, err := watch.NamespaceInode(o.ProcRoot, "self")
	if err != nil {
		return nil, wo, err
	}
	if wo.Netns != self {
		return nil, wo, fmt.Errorf("sampling sees this process's network namespace only: run tcpaudit watch inside the namespace (ip netns exec) instead of --netns or --all-netns")
	}
	tr, err := watch.OpenSampler(o.ProcRoot)
	return tr, wo, err
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
	"github.com/tcpaudit/tcpaudit/tune"
)

// tuneOptions are the settings of `tcpaudit tune`.
type tuneOptions struct {
	textOrJSON `mapstructure:",squash"`
	ProcRoot   string        `mapstructure:"proc-root"`
	Source     string        `mapstructure:"source"`
	Duration   time.Duration `mapstructure:"duration"`
	Interval   time.Duration `mapstructure:"interval"`
	Root       string        `mapstructure:"root"`
	Diff       bool          `mapstructure:"diff"`
	Write      string        `mapstructure:"write"`
	Netns      string        `mapstructure:"netns"`
	AllNetns   bool          `mapstructure:"all-netns"`
}

func (o tuneOptions) validate() error {
	if err := o.textOrJSON.validate(); err != nil {
		return err
	}
	if o.Interval <= 0 {
		return fmt.Errorf("--interval %s: want a positive duration", o.Interval)
	}
	if o.Duration < o.Interval {
		return fmt.Errorf("--duration %s: want at least one --interval (%s)", o.Duration, o.Interval)
	}
	return fixOptions{Root: o.Root, Diff: o.Diff, Write: o.Write}.validate()
}

// readings is the number of readings the options ask for.
func (o tuneOptions) readings() int { return int(o.Duration/o.Interval) + 1 }

func newTuneCmd(s streams) *cobra.Command {
	cmd := command("tune", help("tune"), cobra.NoArgs, withOptions(s, runTune))
	f := cmd.Flags()
	f.Duration("duration", time.Minute, "how long to observe")
	f.Duration("interval", time.Second, "time between readings")
	addTextOrJSONFlag(f)
	f.String("proc-root", "/proc", "directory that mirrors /proc")
	f.String("source", "auto", "socket census source: auto (netlink on the live host, else /proc), netlink or proc; only netlink has tcp_info")
	f.Var(new(netnsSpec), "netns", "observe one network namespace from the host: a `NAME` under /run/netns, a PID whose namespace is meant, or a path to an nsfs file")
	f.Bool("all-netns", false, "observe every network namespace of the host at once and size each (no --diff or --write)")
	addFixFlags(f)
	return cmd
}

func runTune(ctx context.Context, s streams, _ []string, o tuneOptions) error {
	src, err := audit.ParseCensusSource(o.Source)
	if err != nil {
		return fmt.Errorf("--source: %w", err)
	}
	if o.AllNetns {
		if o.Netns != "" {
			return errors.New("--all-netns and --netns both say which namespaces to observe: give one")
		}
		return tuneAll(ctx, s, o, src)
	}
	t, err := o.target()
	if err != nil {
		return err
	}
	if o.Write != "" && t.guest() { // refused before the observation, not after it
		var fx pipeline.Fix
		fx.In(*t.ns, t.root)
		return guestWriteRefused(&fx)
	}
	progress := sampleOptions{Samples: o.readings()}.progress(s)
	rep, facts, err := observe(ctx, t, src, o, progress, func(err error) {
		fmt.Fprintf(s.err, "tcpaudit tune: %s\n", errorText(err))
	})
	if err != nil {
		return err
	}
	if o.Diff || o.Write != "" {
		return writeTuneFix(s, facts, rep, o, t)
	}
	if o.Format == "json" {
		return report.TuneJSON{}.Write(s.out, rep)
	}
	return report.TuneText{}.Write(s.out, rep)
}

// observe observes t for the options' readings and sizes the keys from
// what it saw; with --diff or --write it also reads the facts the fix is
// planned from, inside the namespace. warn, when set, is told why the
// listeners' owners could not be read (they then go unnamed).
func observe(ctx context.Context, t tuneTarget, src audit.CensusSource, o tuneOptions, progress func(int, int), warn func(error)) (tune.Report, *audit.Facts, error) {
	var rep tune.Report
	var facts *audit.Facts
	err := t.do(func() error {
		obs := audit.NewObserver(t.fsys, src, tune.Keys())
		seen, err := obs.Run(ctx, o.readings(), o.Interval, time.Now, progress)
		if err != nil {
			return err
		}
		owners, err := obs.ListenerOwners(seen)
		if err != nil && warn != nil {
			warn(err)
		}
		rep = t.plan(seen, owners)
		if o.Diff || o.Write != "" {
			facts, err = tuneFacts(t.fsys)
		}
		return err
	})
	return rep, facts, err
}

// tuneTarget is what tune observes: the proc root's own namespace, or the
// namespace --netns names, entered for every reading. host holds the
// host's values of the global keys when ns is not the host's.
type tuneTarget struct {
	fsys audit.FS
	ns   *netns.Namespace
	root string
	host map[string]string
}

// guest reports whether the target is a namespace of the host that is not
// the host's own.
func (t tuneTarget) guest() bool { return t.ns != nil && !t.ns.IsHost() }

// plan sizes the keys from what was observed in the target.
func (t tuneTarget) plan(seen []audit.Observation, owners *audit.Attribution) tune.Report {
	if t.guest() {
		return tune.PlanGuest(seen, owners, t.host)
	}
	return tune.Plan(seen, owners)
}

// hostGlobals reads the global keys tune sizes in tcpaudit's own network
// namespace, the host's, before any other is entered: a namespace that is
// not the host's shows them read-only or not at all (docs/kernel-facts.md
// §12). A key that cannot be read is left out.
func hostGlobals(fsys audit.FS) (map[string]string, error) {
	values, _, err := fsys.Sysctls(tune.GlobalKeys())
	if err != nil {
		return nil, fmt.Errorf("global keys of the host: %w", err)
	}
	return values, nil
}

// target resolves --netns, if given, against --proc-root.
func (o tuneOptions) target() (tuneTarget, error) {
	root := o.ProcRoot
	var ns *netns.Namespace
	if o.Netns != "" {
		nss, _, r, err := netnsOptions{Netns: o.Netns}.namespaces(o.ProcRoot)
		if err != nil {
			return tuneTarget{}, err
		}
		root, ns = r, &nss[0]
	}
	fsys, err := audit.NewFS(root)
	if err != nil {
		return tuneTarget{}, err
	}
	t := tuneTarget{fsys: fsys, ns: ns, root: root}
	if t.guest() {
		if t.host, err = hostGlobals(fsys); err != nil {
			return tuneTarget{}, err
		}
	}
	if ns != nil {
		t.fsys = fsys.InScope(audit.Scope{Net: netns.ThreadNet, PIDs: ns.Members()})
	}
	return t, nil
}

// do runs fn in the target's namespace.
func (t tuneTarget) do(fn func() error) error {
	if t.ns == nil {
		return fn()
	}
	if err := netns.Do(*t.ns, fn); err != nil {
		return fmt.Errorf("namespace %s: %w", t.ns.String(), err)
	}
	return nil
}

// writeTuneFix turns the proposals to change into the drop-in or diff that
// fix writes, the arithmetic as each key's comment; for a namespace that
// is not the host's, in the form its owner keeps them.
func writeTuneFix(s streams, facts *audit.Facts, rep tune.Report, o tuneOptions, t tuneTarget) error {
	fx, err := planTuneFix(facts, rep, o, t)
	if err != nil {
		return err
	}
	return emitFix(s, fx, "tcpaudit tune", "no key needs a change", fixOptions{Root: o.Root, Diff: o.Diff, Write: o.Write})
}

// planTuneFix plans the fix of the proposals to change, in the target's
// namespace.
func planTuneFix(facts *audit.Facts, rep tune.Report, o tuneOptions, t tuneTarget) (*pipeline.Fix, error) {
	conf, err := sysctlconf.Resolve(o.Root)
	if err != nil {
		return nil, err
	}
	var findings []rules.Finding
	var hostWide []sysctlconf.Change
	for _, p := range rep.Proposals {
		switch {
		case p.Verdict != tune.Change:
		case p.HostWide:
			hostWide = append(hostWide, sysctlconf.Change{Key: p.Key, Value: p.Proposed, Comment: "tune: " + report.Escape(p.Formula)})
		default:
			findings = append(findings, rules.Finding{
				Rule: "tune", Title: report.Escape(p.Formula),
				Fix: rules.Fix{Sysctl: map[string]string{p.Key: p.Proposed}},
			})
		}
	}
	fx := pipeline.PlanFix(&pipeline.Audit{Facts: facts, Result: rules.Result{Findings: findings}, Profile: "tune (measured workload)"}, conf)
	if t.ns != nil {
		fx.In(*t.ns, t.root)
	}
	// A global key sized in a guest namespace is the host's: its fix
	// renders it as a note for the host, never in the namespace's form
	// (ip netns exec NAME sysctl -w of it would act on the host's value).
	if fx.Guest != "" {
		fx.Changes = append(fx.Changes, hostWide...)
	}
	return fx, nil
}

// tuneFacts reads what planning a fix needs: the sysctls (and those absent,
// which tell a child namespace) and the kernel release.
func tuneFacts(fsys audit.FS) (*audit.Facts, error) {
	values, absent, err := fsys.Sysctls(append(tune.Keys(), "net.ipv4.tcp_mem"))
	if err != nil {
		return nil, err
	}
	k, err := fsys.Release()
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return audit.NewFacts(audit.Facts{ProcRoot: fsys.Root(), Kernel: k, Sysctls: values, Absent: absent}), nil
}

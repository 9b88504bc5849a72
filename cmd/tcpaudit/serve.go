package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/exporter"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/watch"
)

// serveOptions are the settings of `tcpaudit serve`.
type serveOptions struct {
	auditOptions      `mapstructure:",squash"`
	Listen            string        `mapstructure:"listen"`
	Interval          time.Duration `mapstructure:"interval"`
	Source            string        `mapstructure:"source"`
	Watch             bool          `mapstructure:"watch"`
	WatchTop          int           `mapstructure:"watch-top"`
	serveNetnsOptions `mapstructure:",squash"`
}

// validate rejects a negative --interval and a --watch-top below 1.
func (o serveOptions) validate() error {
	if o.Interval < 0 {
		return fmt.Errorf("--interval %s: want 0 or a positive duration", o.Interval)
	}
	if o.WatchTop < 1 {
		return fmt.Errorf("--watch-top %d: want 1 or more", o.WatchTop)
	}
	return o.serveNetnsOptions.validate()
}

func newServeCmd(s streams) *cobra.Command {
	cmd := command("serve", help("serve"), cobra.NoArgs, withOptions(s, runServe))
	f := cmd.Flags()
	f.String("listen", "127.0.0.1:9764", "address to listen on (host:port; :9764 for every interface)")
	f.Duration("interval", exporter.DefaultInterval, "evaluate every interval in the background and serve the last result; 0 evaluates on scrape, concurrent scrapes sharing one evaluation")
	addAuditFlags(f, "directory that mirrors /proc (/host/proc in a container)")
	f.String("source", "auto", "socket census source: auto (netlink on the live host, else /proc), netlink or proc")
	f.Bool("watch", false, "also trace the TCP lifecycle with BPF (as tcpaudit watch) of the namespaces served (with --all-netns, every namespace's events summed) and export its counters and histograms")
	f.Int("watch-top", 10, "with --watch, destinations, peers, listeners and commands with a series of their own; the rest are \"other\"")
	addServeNetnsFlags(f)
	return cmd
}

// eval returns serve's evaluation: of the host, or of the namespaces
// --all-netns or --netns select.
func (o serveOptions) eval(po pipeline.Options) (func(context.Context) (rules.Result, error), error) {
	if o.netnsOptions.enabled() {
		if _, err := o.netnsOptions.procRoot(o.ProcRoot); err != nil {
			return nil, err
		}
		return o.evalNamespaces(po), nil
	}
	p, err := pipeline.Prepare(po)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) (rules.Result, error) {
		a, err := p.Run(ctx, time.Now()) // waivers expire while the exporter runs
		if err != nil {
			return rules.Result{}, err
		}
		res := a.Result
		res.Config = o.configPath()
		return res, nil
	}, nil
}

func runServe(ctx context.Context, s streams, _ []string, o serveOptions) error {
	po := o.pipeline()
	src, err := audit.ParseCensusSource(o.Source)
	if err != nil {
		return fmt.Errorf("--source: %w", err)
	}
	po.Census = src
	eval, err := o.eval(po)
	if err != nil {
		return err
	}
	x := exporter.New(eval, o.Interval, toolVersion()).WithNetnsBound(o.bound())
	if o.Watch {
		stop, err := o.watch(x)
		if err != nil {
			return err
		}
		defer stop()
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return fmt.Errorf("--listen: %w", err)
	}
	fmt.Fprintf(s.err, "tcpaudit serve: listening on http://%s/metrics\n", ln.Addr())
	return serveFirst(ctx, x, ln)
}

// serveFirst serves x on ln while its first evaluation runs, so that a
// node's probes find the port open at once (/healthz answers 503 until the
// evaluation is done; a scrape waits for it); if the first evaluation
// fails, serving stops and its error is returned: a configuration that
// cannot be audited is an error at start, not a series of failed scrapes.
func serveFirst(ctx context.Context, x *exporter.Exporter, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	first := make(chan error, 1)
	go func() { first <- x.Evaluate(ctx) }()
	served := make(chan error, 1)
	go func() { served <- x.Serve(ctx, ln) }()
	select {
	case err := <-first:
		if err != nil && ctx.Err() == nil {
			cancel()
			<-served
			return fmt.Errorf("serve: first evaluation: %w", err)
		}
		err = <-served
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		return nil
	case err := <-served:
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		return nil
	}
}

// watch starts the BPF tracer on the network namespaces serve audits
// (this process's, the one --netns names, or every one with --all-netns,
// their events summed) and serves its metrics with x's; the returned
// function stops it.
func (o serveOptions) watch(x *exporter.Exporter) (func(), error) {
	netns, err := o.watched()
	if err != nil {
		return nil, fmt.Errorf("--watch: %w", err)
	}
	tr, err := watch.OpenBPF(netns)
	if err != nil {
		return nil, fmt.Errorf("--watch: %w", err)
	}
	x.Also(watch.NewMetrics(tr, o.WatchTop))
	return func() { tr.Close() }, nil
}

// watched is the inode of the namespace --watch traces; 0 traces every
// namespace.
func (o serveOptions) watched() (uint32, error) {
	switch {
	case o.AllNetns:
		return 0, nil
	case o.Netns != "":
		nss, _, _, err := o.netnsOptions.namespaces(o.ProcRoot)
		if err != nil {
			return 0, err
		}
		return uint32(nss[0].Inode), nil
	}
	return watch.NamespaceInode("/proc", "self")
}

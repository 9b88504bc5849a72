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
)

// serveOptions are the settings of `tcpaudit serve`.
type serveOptions struct {
	auditOptions      `mapstructure:",squash"`
	Listen            string        `mapstructure:"listen"`
	Interval          time.Duration `mapstructure:"interval"`
	Source            string        `mapstructure:"source"`
	serveNetnsOptions `mapstructure:",squash"`
}

// validate rejects a negative --interval.
func (o serveOptions) validate() error {
	if o.Interval < 0 {
		return fmt.Errorf("--interval %s: want 0 or a positive duration", o.Interval)
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
	if err := x.Evaluate(ctx); err != nil {
		return fmt.Errorf("serve: first evaluation: %w", err)
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return fmt.Errorf("--listen: %w", err)
	}
	fmt.Fprintf(s.err, "tcpaudit serve: listening on http://%s/metrics\n", ln.Addr())
	if err := x.Serve(ctx, ln); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

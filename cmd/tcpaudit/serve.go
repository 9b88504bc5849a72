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
	auditOptions `mapstructure:",squash"`
	Listen       string        `mapstructure:"listen"`
	Interval     time.Duration `mapstructure:"interval"`
	Source       string        `mapstructure:"source"`
}

// validate rejects a negative --interval.
func (o serveOptions) validate() error {
	if o.Interval < 0 {
		return fmt.Errorf("--interval %s: want 0 or a positive duration", o.Interval)
	}
	return nil
}

func newServeCmd(s streams) *cobra.Command {
	cmd := command("serve", help("serve"), cobra.NoArgs, withOptions(s, runServe))
	f := cmd.Flags()
	f.String("listen", "127.0.0.1:9764", "address to listen on (host:port; :9764 for every interface)")
	f.Duration("interval", exporter.DefaultInterval, "evaluate every interval in the background and serve the last result; 0 evaluates on scrape, concurrent scrapes sharing one evaluation")
	addAuditFlags(f, "directory that mirrors /proc (/host/proc in a container)")
	f.String("source", "auto", "socket census source: auto (netlink on the live host, else /proc), netlink or proc")
	return cmd
}

func runServe(ctx context.Context, s streams, _ []string, o serveOptions) error {
	po := o.pipeline()
	src, err := audit.ParseCensusSource(o.Source)
	if err != nil {
		return fmt.Errorf("--source: %w", err)
	}
	po.Census = src
	p, err := pipeline.Prepare(po)
	if err != nil {
		return err
	}
	x := exporter.New(func(ctx context.Context) (rules.Result, error) {
		a, err := p.Run(ctx, time.Now()) // waivers expire while the exporter runs
		if err != nil {
			return rules.Result{}, err
		}
		res := a.Result
		res.Config = o.configPath()
		return res, nil
	}, o.Interval, toolVersion())
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

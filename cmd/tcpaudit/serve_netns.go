package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/rules"
)

// serveNetnsOptions select the namespaces serve audits and bound their
// series.
type serveNetnsOptions struct {
	netnsOptions    `mapstructure:",squash"`
	NetnsMinSockets int `mapstructure:"netns-min-sockets"`
	NetnsMaxSeries  int `mapstructure:"netns-max-series"`
}

// addServeNetnsFlags declares the flags of serveNetnsOptions.
func addServeNetnsFlags(f *pflag.FlagSet) {
	addNetnsFlags(f)
	b := report.DefaultNetnsBound()
	f.Int("netns-min-sockets", b.MinSockets, "with --all-netns, a namespace without findings has series of its own only above this many sockets")
	f.Int("netns-max-series", b.MaxSeries, "with --all-netns, at most this many namespaces have series of their own (those with findings first, then the busiest); the others are folded into the totals")
}

// validate rejects negative bounds.
func (o serveNetnsOptions) validate() error {
	if o.NetnsMinSockets < 0 || o.NetnsMaxSeries < 0 {
		return fmt.Errorf("--netns-min-sockets %d, --netns-max-series %d: want 0 or more", o.NetnsMinSockets, o.NetnsMaxSeries)
	}
	return nil
}

// bound is the series bound the options give.
func (o serveNetnsOptions) bound() report.NetnsBound {
	return report.NetnsBound{MinSockets: o.NetnsMinSockets, MaxSeries: o.NetnsMaxSeries}
}

// evalNamespaces returns serve's evaluation of the namespaces the options
// select: found again on every evaluation (pods come and go), audited, and
// merged into one result.
func (o serveOptions) evalNamespaces(po pipeline.Options) func(context.Context) (rules.Result, error) {
	po.Progress = nil
	return func(ctx context.Context) (rules.Result, error) {
		nss, notes, root, err := o.netnsOptions.namespaces(o.ProcRoot)
		if err != nil {
			return rules.Result{}, err
		}
		po.ProcRoot, po.Today = root, time.Now() // waivers expire while the exporter runs
		audits, err := pipeline.RunNamespaces(ctx, po, nss)
		if err != nil {
			return rules.Result{}, err
		}
		res := pipeline.Merge(audits)
		res.Notes = append(res.Notes, notes...)
		res.Config = o.configPath()
		return res, nil
	}
}

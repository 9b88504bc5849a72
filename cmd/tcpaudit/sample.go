package main

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/pipeline"
)

// sampleOptions are the census-source and sampling settings that check and
// sockets share.
type sampleOptions struct {
	Source   string        `mapstructure:"source"`
	Samples  int           `mapstructure:"samples"`
	Interval time.Duration `mapstructure:"interval"`
}

// addSampleFlags declares the flags of sampleOptions.
func addSampleFlags(f *pflag.FlagSet) {
	f.String("source", "auto", "socket census source: auto (netlink on the live host, else /proc), netlink or proc")
	f.Int("samples", 1, "number of samples; with 2 or more, CLOSE_WAIT sockets present in every sample are reported as stuck and counter deltas as rates")
	f.Duration("interval", time.Second, "time between samples")
}

// census resolves the options into the audit package's terms.
func (o sampleOptions) census() (audit.CensusSource, error) {
	src, err := audit.ParseCensusSource(o.Source)
	if err != nil {
		return "", fmt.Errorf("--source: %w", err)
	}
	if o.Samples < 1 {
		return "", fmt.Errorf("--samples %d: want 1 or more", o.Samples)
	}
	if o.Samples > 1 && o.Interval <= 0 {
		return "", fmt.Errorf("--interval %s: want a positive duration", o.Interval)
	}
	return src, nil
}

// apply sets the census and sampling of po, with progress printed on
// stderr when it is a terminal.
func (o sampleOptions) apply(po *pipeline.Options, s streams) error {
	src, err := o.census()
	if err != nil {
		return err
	}
	po.Census, po.Samples, po.Interval = src, o.Samples, o.Interval
	po.Progress = o.progress(s)
	return nil
}

// progress prints "sampling N/M" on stderr when it is a terminal and there
// is more than one sample; nil otherwise.
func (o sampleOptions) progress(s streams) func(done, total int) {
	if o.Samples < 2 || !isTerminal(s.err) {
		return nil
	}
	return func(done, total int) {
		fmt.Fprintf(s.err, "\rsampling %d/%d", done, total)
		if done == total {
			fmt.Fprintln(s.err)
		}
	}
}

package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/tcpaudit/tcpaudit/audit"
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
		return "", usageError("--source: %w", err)
	}
	if o.Samples < 1 {
		return "", usageError("--samples %d: want 1 or more", o.Samples)
	}
	if o.Samples > 1 && o.Interval <= 0 {
		return "", usageError("--interval %s: want a positive duration", o.Interval)
	}
	return src, nil
}

// gatherFacts gathers once, or samples as the options ask, printing
// progress on stderr when it is a terminal.
func gatherFacts(ctx context.Context, s streams, ao audit.Options, o sampleOptions) (*audit.Facts, error) {
	src, err := o.census()
	if err != nil {
		return nil, err
	}
	ao.Census = src
	var progress func(int, int)
	if o.Samples > 1 && isTerminal(s.err) {
		progress = func(done, total int) {
			fmt.Fprintf(s.err, "\rsampling %d/%d", done, total)
			if done == total {
				fmt.Fprintln(s.err)
			}
		}
	}
	f, err := audit.Sample(ctx, ao, o.Samples, o.Interval, progress)
	if err != nil {
		return nil, &codeError{code: exitError, err: err}
	}
	return f, nil
}

package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/snapshot"
	"github.com/tcpaudit/tcpaudit/sockets"
)

// socketsOptions are the settings of `tcpaudit sockets`.
type socketsOptions struct {
	State         string `mapstructure:"state"`
	By            string `mapstructure:"by"`
	Top           int    `mapstructure:"top"`
	textOrJSON    `mapstructure:",squash"`
	ProcRoot      string `mapstructure:"proc-root"`
	NoOwners      bool   `mapstructure:"no-owners"`
	NoColor       bool   `mapstructure:"no-color"`
	outputOption  `mapstructure:",squash"`
	censusOptions `mapstructure:",squash"`
}

func newSocketsCmd(s streams) *cobra.Command {
	cmd := command("sockets", help("sockets"), cobra.NoArgs, withOptions(s, runSockets))
	f := cmd.Flags()
	f.String("state", "", "count only sockets in this state (close-wait, time-wait, ...)")
	f.String("by", "state", "grouping: state, port, remote or process")
	f.Int("top", 10, "rows to print per ranking")
	addTextOrJSONFlag(f)
	f.String("proc-root", "/proc", "directory that mirrors /proc (a snapshot or a host's /proc)")
	f.Bool("no-owners", false, "do not look up the processes holding CLOSE_WAIT sockets")
	f.Bool("no-color", false, "disable colour (NO_COLOR is honoured too)")
	addOutputFlag(f)
	addCensusFlags(f)
	return cmd
}

// runSockets validates the options, takes the view and writes it.
func runSockets(ctx context.Context, s streams, _ []string, o socketsOptions) error {
	src, err := o.census()
	if err != nil {
		return err
	}
	state, _ := audit.ParseState(o.State) // 0 when o.State is empty
	how, err := o.mode()
	if err != nil {
		return err
	}
	so := sockets.Options{
		Source: src, State: state, By: sockets.By(o.By), Top: o.Top, NoOwners: o.NoOwners, Attribution: how,
		Samples: o.Samples, Interval: o.Interval,
		Now: time.Now, Progress: o.progress(s),
	}
	color := s.color(o.NoColor) && o.Output == ""
	return writeOutput(s.out, o.Output, func(w io.Writer) error {
		if o.netnsOptions.enabled() {
			return socketsNamespaces(ctx, w, s.err, o, so, color)
		}
		view, err := sockets.Take(ctx, o.ProcRoot, so)
		if err != nil {
			return err
		}
		if o.Format == "json" {
			return report.SocketsJSON{}.Write(w, view)
		}
		return report.SocketsText{Color: color}.Write(w, view)
	})
}

// socketsNamespaces takes and writes the view of each namespace that
// --all-netns or --netns selects, live or, with --all-netns on a snapshot
// taken with snapshot --all-netns, from the files of each namespace. Each
// view is written to out as it comes, so memory holds a few views, not
// all; notes go to errs.
func socketsNamespaces(ctx context.Context, out, errs io.Writer, o socketsOptions, so sockets.Options, color bool) error {
	var w interface {
		Add(sockets.Namespace) error
		Close() error
	} = &report.SocketsNamespacesText{W: out, Color: color}
	if o.Format == "json" {
		w = &report.SocketsNamespacesJSON{W: out}
	}
	if o.AllNetns && snapshot.HasIndex(o.ProcRoot) {
		nss, err := snapshot.ReadCaptured(o.ProcRoot)
		if err != nil {
			return err
		}
		if err := sockets.EachCaptured(ctx, nss, so, w.Add); err != nil {
			return err
		}
		return w.Close()
	}
	nss, discovered, _, err := o.netnsOptions.namespaces(o.ProcRoot)
	if err != nil {
		return err
	}
	for _, n := range discovered {
		fmt.Fprintf(errs, "tcpaudit: %s\n", report.Escape(n))
	}
	if len(nss) > 1 {
		so.Progress = nil // samples of namespaces taken at once
	}
	var skips netns.Skips
	add := func(n sockets.Namespace) error {
		skips.Add(n.Namespace, n.Skipped)
		if len(nss) == 1 && n.Skipped != "" {
			return skips.NoneSeen() // nothing written for a namespace not seen
		}
		return w.Add(n)
	}
	if err := sockets.EachNamespace(ctx, nss, so, add); err != nil {
		return err
	}
	if err := skips.NoneSeen(); err != nil {
		return err
	}
	return w.Close()
}

func (o socketsOptions) validate() error {
	switch o.By {
	case "state", "port", "remote", "process":
	default:
		return fmt.Errorf("--by %q: want state, port, remote or process", o.By)
	}
	if err := o.textOrJSON.validate(); err != nil {
		return err
	}
	if o.Top < 1 {
		return fmt.Errorf("--top %d: want 1 or more", o.Top)
	}
	if o.State != "" {
		if _, ok := audit.ParseState(o.State); !ok {
			return fmt.Errorf("--state %q: not a TCP state (try close-wait, time-wait, established, listen)", o.State)
		}
	}
	return nil
}

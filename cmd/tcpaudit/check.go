package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/snapshot"
)

// checkOptions are the settings of `tcpaudit check`, from flags and
// TCPAUDIT_* variables.
type checkOptions struct {
	auditOptions  `mapstructure:",squash"`
	reportOptions `mapstructure:",squash"`
	Snapshot      string `mapstructure:"snapshot"`
	censusOptions `mapstructure:",squash"`
}

func newCheckCmd(s streams) *cobra.Command {
	cmd := command("check", help("check"), cobra.NoArgs, withOptions(s, runCheck))
	f := cmd.Flags()
	addAuditFlags(f, "directory that mirrors /proc (a snapshot or a host's /proc)")
	addReportFlags(cmd)
	f.String("snapshot", "", "audit a `FILE.tar.gz` written by tcpaudit snapshot, instead of --proc-root")
	addCensusFlags(f)
	return cmd
}

func runCheck(ctx context.Context, s streams, _ []string, o checkOptions) error {
	if o.Snapshot != "" && o.Netns != "" {
		return errors.New("--snapshot is a captured host: --netns enters a namespace of the live one")
	}
	if o.Snapshot != "" {
		if filepath.Clean(o.ProcRoot) != "/proc" {
			return errors.New("--snapshot and --proc-root both name what to audit: give one")
		}
		root, cleanup, err := snapshot.Open(ctx, o.Snapshot, snapshot.DefaultLimits)
		if err != nil {
			return fmt.Errorf("--snapshot: %w", err)
		}
		defer cleanup()
		o.ProcRoot = root
	}
	po := o.pipeline()
	if err := o.sampleOptions.apply(&po, s); err != nil {
		return err
	}
	var err error
	if po.Attribution, err = o.mode(); err != nil {
		return err
	}
	if o.AllNetns && (o.Snapshot != "" || snapshot.HasIndex(o.ProcRoot)) {
		if !snapshot.HasIndex(o.ProcRoot) {
			return errors.New("--all-netns: the snapshot holds the host's namespace alone: take it with snapshot --all-netns")
		}
		return checkCaptured(ctx, s, o, po)
	}
	if o.netnsOptions.enabled() {
		return checkNamespaces(ctx, s, o, po)
	}
	a, err := pipeline.Run(ctx, po)
	if err != nil {
		return err
	}
	res := a.Result
	res.Config = o.configPath()
	ro := sysctlTree(a)
	ro.Hostname = a.Hostname
	return o.emit(s, res, ro)
}

// checkNamespaces audits the namespaces --all-netns or --netns selects and
// writes one report of them all.
func checkNamespaces(ctx context.Context, s streams, o checkOptions, po pipeline.Options) error {
	nss, notes, root, err := o.netnsOptions.namespaces(o.ProcRoot)
	if err != nil {
		return err
	}
	po.ProcRoot = root
	if len(nss) > 1 {
		po.Progress = nil // samples of namespaces audited at once
	}
	audits, err := pipeline.RunNamespaces(ctx, po, nss)
	if err != nil {
		return err
	}
	var skips netns.Skips
	for _, a := range audits {
		skips.Add(a.Namespace, a.Skipped)
	}
	if err := skips.NoneSeen(); err != nil {
		return err
	}
	return o.emitNamespaces(s, pipeline.Merge(audits), audits, notes, root)
}

// emitNamespaces writes the report of res, merged from audits, with the
// notes of discovery; root names the host.
func (o checkOptions) emitNamespaces(s streams, res rules.Result, audits []pipeline.NamespaceAudit, notes []string, root string) error {
	res.Notes = append(res.Notes, notes...)
	res.Config = o.configPath()
	ro := report.Options{Hostname: pipeline.Hostname(root)}
	for _, a := range audits {
		if a.Namespace.IsHost() && a.Audit != nil {
			ro = sysctlTree(a.Audit)
			ro.Hostname = a.Audit.Hostname
		}
	}
	return o.emit(s, res, ro)
}

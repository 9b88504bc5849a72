package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/containers"
	"github.com/tcpaudit/tcpaudit/internal/atomicfile"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

// fixOptions are the settings of `tcpaudit fix`.
type fixOptions struct {
	auditOptions `mapstructure:",squash"`
	Root         string `mapstructure:"root"`
	Diff         bool   `mapstructure:"diff"`
	Write        string `mapstructure:"write"`
	Netns        string `mapstructure:"netns"`
}

// validate rejects --diff with --write, and an empty --root (the fix is
// planned against a tree; an empty name is not /).
func (o fixOptions) validate() error {
	if o.Diff && o.Write != "" {
		return errors.New("--diff and --write exclude each other")
	}
	if o.Root == "" {
		return errors.New("--root: want the root directory of the sysctl.d tree, such as /")
	}
	return nil
}

func newFixCmd(s streams) *cobra.Command {
	cmd := command("fix", help("fix"), cobra.NoArgs, withOptions(s, runFix))
	f := cmd.Flags()
	addProfileFlags(f)
	f.String("proc-root", "/proc", "directory that mirrors /proc")
	f.Var(new(netnsSpec), "netns", "fix one network namespace, its sysctls read inside it: a `NAME` under /run/netns, a PID whose namespace is meant, or a path to an nsfs file")
	addFixFlags(f)
	return cmd
}

// addFixFlags declares --root, --diff and --write of the commands that
// write a drop-in.
func addFixFlags(f *pflag.FlagSet) {
	f.String("root", "/", "root directory of the sysctl.d configuration tree")
	f.Bool("diff", false, "print a unified diff against the configuration tree instead of a drop-in")
	f.String("write", "", "write the drop-in to this file under --root (atomically, following no symlink; an existing file is kept as FILE.bak)")
}

func runFix(ctx context.Context, s streams, _ []string, o fixOptions) error {
	po := o.pipeline()
	po.SysctlRoot = o.Root
	if o.Netns != "" {
		return fixNetns(ctx, s, o, po)
	}
	if _, _, err := containers.ReadOrigin(o.ProcRoot); err != nil {
		return err // the snapshot's record of its namespace: hostile input
	}
	a, err := pipeline.Run(ctx, po)
	if err != nil {
		return err
	}
	fx := pipeline.PlanFix(a, a.Sysctl)
	for _, err := range a.Facts.Absent {
		if errors.Is(err, audit.ErrSysctlsHidden) {
			if fx.Guest != "" {
				fmt.Fprintf(s.err, "tcpaudit fix: %s.\n", report.Escape(fx.Guest))
			}
			return fmt.Errorf("--proc-root %s: %w", o.ProcRoot, audit.ErrSysctlsHidden)
		}
	}
	if err := refuseGuestDiff(fx, o); err != nil {
		return err
	}
	return emitFix(s, fx, "tcpaudit fix", "no finding of profile "+a.Profile+" has a sysctl fix", o)
}

// refuseGuestDiff refuses --diff for a namespace that is not the host's:
// the diff is against the host's sysctl.d tree, which such a namespace
// never reads.
func refuseGuestDiff(fx *pipeline.Fix, o fixOptions) error {
	if fx.Guest == "" || !o.Diff {
		return nil
	}
	return fmt.Errorf("--diff: refused: %s; a diff is against the host's sysctl.d tree (%s), which this namespace does not read: run fix without --diff for its settings in the form its owner keeps them", fx.Guest, o.Root)
}

// fixNetns plans the fix of the namespace --netns names from inside it,
// in its owner's form unless it is the host's.
func fixNetns(ctx context.Context, s streams, o fixOptions, po pipeline.Options) error {
	nss, _, root, err := netnsOptions{Netns: o.Netns}.namespaces(o.ProcRoot)
	if err != nil {
		return err
	}
	po.ProcRoot = root
	a, fx, err := pipeline.FixIn(ctx, po, nss[0])
	if err != nil {
		return err
	}
	if err := refuseGuestDiff(fx, o); err != nil {
		return err
	}
	return emitFix(s, fx, "tcpaudit fix", "no finding of profile "+a.Profile+" has a sysctl fix", o)
}

// emitFix prints the drop-in, or the diff with --diff, or writes it with
// --write; with no change it prints none and the plan's notes on stderr.
// Every message on stderr starts with cmd, the command that prints it
// ("tcpaudit fix", "tcpaudit tune").
func emitFix(s streams, fx *pipeline.Fix, cmd, none string, o fixOptions) error {
	switch {
	case fx.Guest != "":
		return guestFix(s, fx, o, cmd, none)
	case len(fx.Changes) == 0:
		_, err := fmt.Fprintf(s.err, "%s: %s\n", cmd, none)
		for _, n := range fx.Notes {
			fmt.Fprintf(s.err, "  %s\n", report.Escape(n))
		}
		return err
	case o.Diff:
		diff, err := fx.Diff()
		if err != nil {
			return err
		}
		if _, err = fmt.Fprint(s.out, diff); err != nil {
			return err
		}
		applyAdvice(s, fx, cmd, diff == "")
		return nil
	case o.Write != "":
		return writeFix(s, fx, cmd, o.Root, o.Write)
	}
	_, err := fmt.Fprint(s.out, fx.DropIn())
	return err
}

// applyAdvice says on stderr which keys the configuration already sets
// (the diff leaves them alone) and how to apply every key of the fix now.
func applyAdvice(s streams, fx *pipeline.Fix, cmd string, none bool) {
	var set []string
	for _, c := range fx.Configured {
		set = append(set, fmt.Sprintf("%s = %s (%s:%d)", c.Key, c.Value, c.Line.File, c.Line.Line))
	}
	switch {
	case none:
		fmt.Fprintf(s.err, "%s: the configuration already sets every key of this fix: %s; apply it now with:\n", cmd, report.Escape(strings.Join(set, ", ")))
	case len(set) > 0:
		fmt.Fprintf(s.err, "%s: the configuration already sets %s; after patching, apply every key now with:\n", cmd, report.Escape(strings.Join(set, ", ")))
	default:
		fmt.Fprintf(s.err, "%s: after patching, apply every key now with:\n", cmd)
	}
	for _, c := range fx.Apply() {
		fmt.Fprintf(s.err, "  %s\n", report.Escape(c))
	}
}

// guestFix prints the fix of a namespace that is not the host's in the
// form its owner keeps it, and says why no drop-in is offered; --write is
// refused before anything is printed.
func guestFix(s streams, fx *pipeline.Fix, o fixOptions, cmd, none string) error {
	if o.Write != "" {
		return guestWriteRefused(fx)
	}
	fmt.Fprintf(s.err, "%s: %s.\n  A drop-in under /etc/sysctl.d would change the host at its next boot, not this namespace;\n  the settings follow in the form this namespace's owner keeps them.\n", cmd, report.Escape(fx.Guest))
	if o.ProcRoot != "" && o.Netns == "" && !audit.IsLive(o.ProcRoot) { // a snapshot
		fmt.Fprintf(s.err, "  To fix it from the live host, run tcpaudit fix --netns NAME|PID there, or apply them inside it.\n")
	}
	return guestSettings(s, fx, o, cmd, none)
}

// guestSettings prints the settings of the guest namespace of fx in its
// owner's form, or none when there is no change, and the plan's notes.
func guestSettings(s streams, fx *pipeline.Fix, o fixOptions, cmd, none string) error {
	if len(fx.Changes) == 0 {
		fmt.Fprintf(s.err, "%s: %s\n", cmd, none)
	}
	for _, n := range fx.Notes {
		fmt.Fprintf(s.err, "  %s\n", report.Escape(n))
	}
	if len(fx.Changes) > 0 {
		if _, err := fmt.Fprint(s.out, fx.InNamespace(o.Root).Text); err != nil {
			return err
		}
	}
	return nil
}

// overrideList names each line that wins over the drop-in, as KEY
// (FILE:LINE), the first maxOverriders and how many more.
func overrideList(wins []sysctlconf.Entry) string {
	parts := make([]string, len(wins))
	for i, e := range wins {
		parts[i] = fmt.Sprintf("%s (%s:%d)", e.Key, e.File, e.Line)
	}
	return report.SomeOf(parts, maxOverriders)
}

// maxOverriders bounds the lines the warning of a losing name lists.
const maxOverriders = 4

// guestWriteRefused is the refusal of --write for the guest namespace of
// fx: a drop-in would change the host.
func guestWriteRefused(fx *pipeline.Fix) error {
	return fmt.Errorf("--write: refused: %s; a drop-in under /etc/sysctl.d would change the host at its next boot, not this namespace: run without --write for its settings in the form its owner keeps them", fx.Guest)
}

// writeFix writes the drop-in to file, warning when another file that
// sets the same keys sorts after it and so wins at boot.
func writeFix(s streams, fx *pipeline.Fix, cmd, root, file string) error {
	base := filepath.Base(file)
	if wins := fx.Overriders(base); len(wins) > 0 {
		fmt.Fprintf(s.err, "%s: warning: %s sorts before files that set %d of these keys and win at boot: %s; name it %s\n",
			cmd, report.Escape(base), len(wins), report.Escape(overrideList(wins)), fx.Name)
	}
	backup, err := atomicfile.ReplaceBeneath(root, file, fx.Named(base).DropIn())
	if err != nil {
		return fmt.Errorf("--write: %w", err)
	}
	msg := cmd + ": wrote " + report.Escape(file)
	if backup != "" {
		msg += " (previous version kept as " + report.Escape(backup) + ")"
	}
	_, err = fmt.Fprintln(s.err, msg)
	return err
}

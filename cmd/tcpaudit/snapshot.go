package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/containers"
	"github.com/tcpaudit/tcpaudit/internal/atomicfile"
	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/snapshot"
)

// snapshotOptions are the settings of `tcpaudit snapshot`.
type snapshotOptions struct {
	ProcRoot   string `mapstructure:"proc-root"`
	SysctlRoot string `mapstructure:"sysctl-root"`
	AllNetns   bool   `mapstructure:"all-netns"`
}

func newSnapshotCmd(s streams) *cobra.Command {
	cmd := command("snapshot DIR|FILE.tar.gz|-", help("snapshot"), cobra.ExactArgs(1), withOptions(s, runSnapshot))
	cmd.Flags().String("proc-root", "/proc", "directory that mirrors /proc")
	cmd.Flags().String("sysctl-root", "", "also copy the sysctls configured in the sysctl.d tree under this root, for runtime-config-drift (default / when --proc-root is /proc)")
	cmd.Flags().Bool("all-netns", false, "also capture every other network namespace of the host (its net/ files and its sysctls read inside it), for check --all-netns on the snapshot")
	return cmd
}

func runSnapshot(_ context.Context, s streams, args []string, o snapshotOptions) error {
	if args[0] == "-" && s.tty {
		return errors.New("snapshot -: stdout is a terminal; redirect it to a file")
	}
	var nss []netns.Namespace
	procRoot := o.ProcRoot
	if o.AllNetns {
		var err error
		if nss, procRoot, err = snapshotNamespaces(s, o.ProcRoot); err != nil {
			return fmt.Errorf("snapshot --all-netns: %w", err)
		}
	}
	return takeSnapshot(s, o, args[0], procRoot, nss)
}

// takeSnapshot writes the snapshot to dst: the files under o.ProcRoot and,
// with --all-netns, those of the namespaces nss entered under procRoot.
func takeSnapshot(s streams, o snapshotOptions, dst, procRoot string, nss []netns.Namespace) error {
	keys, err := pipeline.Keys(o.ProcRoot, o.SysctlRoot)
	if err != nil {
		fmt.Fprintf(s.err, "tcpaudit: snapshot: configured sysctls left out: %s\n", errorText(err))
	}
	entries, err := snapshot.ListWithout(o.ProcRoot, keys, guestMembers(nss))
	if err != nil {
		return fmt.Errorf("snapshot: proc root: %w", err)
	}
	stage, err := os.MkdirTemp("", "tcpaudit-snapshot-")
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	defer os.RemoveAll(stage)
	origin, err := originEntries(o.ProcRoot, stage)
	if err != nil {
		return err
	}
	entries = append(entries, origin...)
	if o.AllNetns {
		more, err := captureNamespaces(s, procRoot, nss, keys, stage)
		if err != nil {
			return fmt.Errorf("snapshot --all-netns: %w", err)
		}
		entries = append(entries, more...)
	}
	switch {
	case dst == "-":
		err = snapshot.WriteTar(o.ProcRoot, s.out, entries, time.Now())
	case isTarball(dst):
		err = writeTarball(dst, o.ProcRoot, entries)
	default:
		err = snapshot.WriteDir(o.ProcRoot, dst, entries)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(s.err, "snapshot: %s written to %s\n", report.Escape(o.ProcRoot), report.Escape(dst))
	return nil
}

// writeTarball writes the snapshot tarball dst through atomicfile; a name
// it refuses (a directory named x.tgz) is reported as a tarball's name.
func writeTarball(dst, procRoot string, entries []snapshot.Entry) error {
	err := atomicfile.Write(dst, func(w io.Writer) error {
		return snapshot.WriteTar(procRoot, w, entries, time.Now())
	})
	if refused := (*atomicfile.RefusedError)(nil); errors.As(err, &refused) {
		return fmt.Errorf("snapshot %s: %s: refused (a name ending in .tar.gz or .tgz is a snapshot tarball, "+
			"written to a regular file, a character device or a FIFO; a snapshot directory takes a name without that ending)",
			dst, refused.Kind)
	}
	return err
}

func isTarball(name string) bool {
	return strings.HasSuffix(name, ".tar.gz") || strings.HasSuffix(name, ".tgz")
}

// originEntries records which network namespace a live proc root shows
// and which is the host's (PID 1's), staged under stage, so that fix
// offers no drop-in of the host for a namespace's snapshot; none for a
// copy (List carries its record over) or when either cannot be read.
func originEntries(procRoot, stage string) ([]snapshot.Entry, error) {
	w := containers.Locate(procRoot)
	if !w.Live || w.Inode == 0 || w.HostInode == 0 {
		return nil, nil
	}
	e, err := snapshot.WriteOrigin(containers.Origin{Inode: w.Inode, HostInode: w.HostInode, Name: w.NetnsName}, stage)
	if err != nil {
		return nil, err
	}
	return []snapshot.Entry{e}, nil
}

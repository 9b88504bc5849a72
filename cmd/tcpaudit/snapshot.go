package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/internal/atomicfile"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/snapshot"
)

// snapshotOptions are the settings of `tcpaudit snapshot`.
type snapshotOptions struct {
	ProcRoot   string `mapstructure:"proc-root"`
	SysctlRoot string `mapstructure:"sysctl-root"`
}

func newSnapshotCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "snapshot DIR|FILE.tar.gz|-",
		Short: "Copy the /proc files tcpaudit reads, for an audit elsewhere",
		Long: "snapshot copies exactly the files check reads under the proc root: the sysctls\n" +
			"the rules read, net/tcp, tcp6, sockstat, sockstat6, netstat, snmp, the kernel\n" +
			"release and hostname, the descriptors (as symlinks) and comm of every process\n" +
			"holding a TCP socket that net/tcp or tcp6 lists, and the sysctls the sysctl.d\n" +
			"tree sets.\n\n" +
			"A name ending in .tar.gz or .tgz writes a gzipped tarball (the tree under proc/);\n" +
			"- writes the tarball to stdout; anything else is a directory, which must not\n" +
			"exist yet. Audit the copy elsewhere with\n\n" +
			"    tcpaudit check --proc-root DIR\n" +
			"    tcpaudit check --snapshot FILE.tar.gz\n" +
			"    ssh host sudo tcpaudit snapshot - > host.tar.gz",
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().String("proc-root", "/proc", "directory that mirrors /proc")
	cmd.Flags().String("sysctl-root", "", "also copy the sysctls configured in the sysctl.d tree under this root, for runtime-config-drift (default / when --proc-root is /proc)")
	cmd.RunE = withOptions(func(_ *cobra.Command, args []string, o snapshotOptions) error {
		return runSnapshot(s, o, args[0])
	})
	return cmd
}

func runSnapshot(s streams, o snapshotOptions, dst string) error {
	if dst == "-" && s.tty {
		return errors.New("snapshot -: stdout is a terminal; redirect it to a file")
	}
	keys, err := pipeline.Keys(o.ProcRoot, o.SysctlRoot)
	if err != nil {
		fmt.Fprintf(s.err, "tcpaudit: snapshot: configured sysctls left out: %v\n", err)
	}
	entries, err := snapshot.List(o.ProcRoot, keys)
	if err != nil {
		return fmt.Errorf("snapshot: proc root: %w", err)
	}
	switch {
	case dst == "-":
		err = snapshot.WriteTar(o.ProcRoot, s.out, entries, time.Now())
	case isTarball(dst):
		err = atomicfile.Write(dst, func(w io.Writer) error {
			return snapshot.WriteTar(o.ProcRoot, w, entries, time.Now())
		})
	default:
		err = snapshot.WriteDir(o.ProcRoot, dst, entries)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(s.err, "snapshot: %s written to %s\n", o.ProcRoot, dst)
	return nil
}

func isTarball(name string) bool {
	return strings.HasSuffix(name, ".tar.gz") || strings.HasSuffix(name, ".tgz")
}

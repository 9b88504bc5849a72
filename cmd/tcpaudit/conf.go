package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

// confOptions are the settings of `tcpaudit conf show`.
type confOptions struct {
	Root   string `mapstructure:"root"`
	Format string `mapstructure:"format"`
	Procps bool   `mapstructure:"procps"`
}

func newConfCmd(s streams) *cobra.Command {
	conf := &cobra.Command{
		Use:   "conf",
		Short: "Inspect the sysctl.d configuration",
		Args:  cobra.NoArgs,
	}
	show := &cobra.Command{
		Use:   "show",
		Short: "Print the effective sysctl configuration: key, value, file:line",
		Long: "show resolves /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d and\n" +
			"/usr/lib/sysctl.d under the root as systemd-sysctl does (same-name files\n" +
			"shadow, byte-wise order by file name, last assignment wins, explicit keys\n" +
			"beat globs, /etc/sysctl.conf only through a link such as 99-sysctl.conf)\n" +
			"and prints what is applied at boot and where it is set.",
		Args: cobra.NoArgs,
	}
	f := show.Flags()
	f.String("root", "/", "root directory of the configuration tree")
	f.String("format", "text", "output format: text or json")
	f.Bool("procps", false, "show what procps-ng 4.0.5+ `sysctl --system` applies instead (it also reads hidden files and /etc/sysctl.conf last)")
	show.RunE = withOptions(func(_ *cobra.Command, _ []string, o confOptions) error {
		return runConfShow(s, o)
	})
	conf.AddCommand(show)
	return conf
}

func runConfShow(s streams, o confOptions) error {
	if o.Format != "text" && o.Format != "json" {
		return fmt.Errorf("--format %q: want text or json", o.Format)
	}
	resolve := sysctlconf.Resolve
	if o.Procps {
		resolve = func(root string) (*sysctlconf.Config, error) {
			return sysctlconf.ResolveProcps(root, sysctlconf.Procps{GlobExclusions: true})
		}
	}
	c, err := resolve(o.Root)
	if err != nil {
		return err
	}
	if o.Format == "json" {
		err = report.ConfJSON(s.out, c)
	} else {
		err = report.ConfText(s.out, c)
	}
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	// Parts of the tree that could not be read exit 2 after the report:
	// the configuration shown may be incomplete.
	return c.Unreadable()
}

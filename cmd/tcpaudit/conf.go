package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

// confOptions are the settings of `tcpaudit conf show`.
type confOptions struct {
	Root       string `mapstructure:"root"`
	textOrJSON `mapstructure:",squash"`
	Procps     bool `mapstructure:"procps"`
}

func newConfCmd(s streams) *cobra.Command {
	show := command("show", help("conf-show"), cobra.NoArgs, withOptions(s, runConfShow))
	f := show.Flags()
	f.String("root", "/", "root directory of the configuration tree")
	addTextOrJSONFlag(f)
	f.Bool("procps", false, "show what procps-ng 4.0.5+ \"sysctl --system\" applies instead (it also reads hidden files and /etc/sysctl.conf last)")
	conf := command("conf", help("conf"), cobra.NoArgs, nil)
	conf.AddCommand(show)
	return conf
}

func runConfShow(_ context.Context, s streams, _ []string, o confOptions) error {
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

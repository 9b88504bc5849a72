package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/report"
)

func newExplainCmd(s streams) *cobra.Command {
	return command("explain [TOPIC]", help("explain"), cobra.MaximumNArgs(1), func(_ *cobra.Command, args []string) error {
		if len(args) == 0 {
			return report.Topics(s.out)
		}
		err := report.Explain(s.out, args[0])
		if errors.Is(err, report.ErrUnknownTopic) {
			return fmt.Errorf("explain: unknown topic %q: run tcpaudit explain to list states, keys and rules", args[0])
		}
		return err // any other error exits 2 as well
	})
}

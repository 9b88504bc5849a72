package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/report"
)

func newExplainCmd(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "explain [TOPIC]",
		Short: "Explain a TCP state, a sysctl key or a rule",
		Long: "explain teaches from tcpaudit's knowledge base, which follows the kernel\n" +
			"source. TOPIC is a TCP state (CLOSE_WAIT, close-wait, TIME_WAIT ...), a sysctl\n" +
			"key (net.ipv4.tcp_fin_timeout, tcp_fin_timeout, net.ipv4.conf.eth0.rp_filter)\n" +
			"or a rule ID (tcpaudit rules lists them). Without TOPIC it lists the topics.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return report.Topics(s.out)
			}
			err := report.Explain(s.out, args[0])
			if errors.Is(err, report.ErrUnknownTopic) {
				return fmt.Errorf("explain: unknown topic %q: run tcpaudit explain to list states, keys and rules", args[0])
			}
			return err // any other error exits 2 as well
		},
	}
}

package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newCompletionCmd(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "Print a shell completion script",
		Long: "completion prints the completion script of a shell. Load it with\n\n" +
			"    source <(tcpaudit completion bash)\n" +
			"    tcpaudit completion bash > /etc/bash_completion.d/tcpaudit\n" +
			"    tcpaudit completion zsh > \"${fpath[1]}/_tcpaudit\"\n" +
			"    tcpaudit completion fish > ~/.config/fish/completions/tcpaudit.fish",
		Args:      cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		ValidArgs: []string{"bash", "zsh", "fish"},
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			var err error
			switch args[0] {
			case "bash":
				err = root.GenBashCompletionV2(s.out, true)
			case "zsh":
				err = root.GenZshCompletion(s.out)
			case "fish":
				err = root.GenFishCompletion(s.out, true)
			}
			if err != nil {
				return fmt.Errorf("completion %s: %w", args[0], err)
			}
			return nil
		},
	}
}

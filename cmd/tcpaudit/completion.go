package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newCompletionCmd(s streams) *cobra.Command {
	cmd := command("completion bash|zsh|fish", help("completion"), cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs), func(cmd *cobra.Command, args []string) error {
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
	})
	cmd.ValidArgs = []string{"bash", "zsh", "fish"}
	return cmd
}

package main

// The commands that generate from the command tree: shell completion
// scripts and man pages.

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

func newCompletionCmd(s streams) *cobra.Command {
	oneShell := cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs)
	cmd := command("completion bash|zsh|fish", help("completion"), oneShell, func(cmd *cobra.Command, args []string) error {
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

func newManCmd(s streams) *cobra.Command {
	return command("man DIR", help("man"), cobra.ExactArgs(1), func(cmd *cobra.Command, args []string) error {
		dir := args[0]
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("man: %w", err)
		}
		root := cmd.Root()
		root.DisableAutoGenTag = true
		header := manHeader{Title: "TCPAUDIT", Section: "1", Source: "tcpaudit " + toolVersion(), Manual: "tcpaudit manual"}
		n, err := genManPages(root, header, dir)
		if err != nil {
			return fmt.Errorf("man %s: %w", dir, err)
		}
		fmt.Fprintf(s.err, "man: %d pages written to %s\n", n, dir)
		return nil
	})
}

// genManPages writes the pages into a temporary directory inside dir and
// renames each into place, so no page is ever seen half written.
func genManPages(root *cobra.Command, header manHeader, dir string) (int, error) {
	tmp, err := os.MkdirTemp(dir, ".man-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	if _, err := writeManPages(root, header, tmp); err != nil {
		return 0, err
	}
	pages, err := filepath.Glob(filepath.Join(tmp, "*.1"))
	if err != nil {
		return 0, err
	}
	for _, p := range pages {
		if err := os.Chmod(p, 0o644); err != nil {
			return 0, err
		}
		if err := os.Rename(p, filepath.Join(dir, filepath.Base(p))); err != nil {
			return 0, err
		}
	}
	return len(pages), nil
}

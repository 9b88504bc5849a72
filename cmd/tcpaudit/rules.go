package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/rules"
)

func newRulesCmd(s streams) *cobra.Command {
	return command("rules", help("rules"), cobra.NoArgs, func(*cobra.Command, []string) error {
		rows := [][]string{{"ID", "CATEGORY", "SEVERITY", "TITLE"}}
		for _, r := range rules.Catalog() {
			rows = append(rows, []string{r.ID, r.Category, r.Severity.String(), r.Title})
		}
		return writeTable(s.out, rows)
	})
}

func newVersionCmd(s streams) *cobra.Command {
	return command("version", help("version"), cobra.NoArgs, func(*cobra.Command, []string) error {
		_, err := fmt.Fprintf(s.out, "tcpaudit %s\n", version)
		return err
	})
}

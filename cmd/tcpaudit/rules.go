package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// rulesOptions are the settings of `tcpaudit rules`: with profiles, it
// shows which rules they run and at which severity.
type rulesOptions struct {
	auditOptions `mapstructure:",squash"`
}

func newRulesCmd(s streams) *cobra.Command {
	cmd := command("rules", help("rules"), cobra.NoArgs, withOptions(s, runRules))
	f := cmd.Flags()
	f.String("profile", "", "show which rules these profiles run and at which severity, comma-separated ("+fmt.Sprint(profiles.Names())+")")
	f.StringSlice("profile-file", nil, "extra profile YAML files; their names can be used in --profile")
	return cmd
}

func runRules(_ context.Context, s streams, _ []string, o rulesOptions) error {
	if o.Profile == "" {
		rows := [][]string{{"ID", "CATEGORY", "SEVERITY", "TITLE"}}
		for _, r := range rules.Catalog() {
			rows = append(rows, []string{r.ID, r.Category, r.Severity.String(), r.Title})
		}
		return writeTable(s.out, rows)
	}
	cfg, err := pipeline.Profile(o.pipeline())
	if err != nil {
		return err
	}
	rows := [][]string{{"ID", "CATEGORY", "IN " + cfg.Profile, "TITLE"}}
	for _, r := range rules.Catalog() {
		rows = append(rows, []string{r.ID, r.Category, profileSeverity(r, cfg), r.Title})
	}
	return writeTable(s.out, rows)
}

// profileSeverity is the severity a profile runs r at, or "off".
func profileSeverity(r rules.Rule, cfg rules.Config) string {
	rc, ok := cfg.Rules[r.ID]
	switch {
	case !ok || !rc.Enabled:
		return "off"
	case rc.Severity != 0:
		return rc.Severity.String()
	}
	return r.Severity.String()
}

func newVersionCmd(s streams) *cobra.Command {
	return command("version", help("version"), cobra.NoArgs, func(*cobra.Command, []string) error {
		_, err := fmt.Fprintf(s.out, "tcpaudit %s\n", toolVersion())
		return err
	})
}

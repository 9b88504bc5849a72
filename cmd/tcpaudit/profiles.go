package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// profilesOptions are the settings of `tcpaudit profiles show`.
type profilesOptions struct {
	ProfileFiles []string `mapstructure:"profile-file"`
}

func newProfilesCmd(s streams) *cobra.Command {
	cmd := command("profiles", help("profiles"), cobra.NoArgs, func(*cobra.Command, []string) error {
		rows := [][]string{{"NAME", "EXTENDS", "DESCRIPTION"}}
		for _, name := range profiles.Names() {
			p, err := profiles.Builtin(name)
			if err != nil {
				return err
			}
			ext := strings.Join(p.Extends, ",")
			if ext == "" {
				ext = "-"
			}
			rows = append(rows, []string{p.Name, ext, firstSentence(p.Description)})
		}
		return writeTable(s.out, rows)
	})
	show := command("show NAME[,NAME...]", help("profiles-show"), cobra.ExactArgs(1), withOptions(s, runProfilesShow))
	show.Flags().StringSlice("profile-file", nil, "extra profile YAML files; their names can be used in NAME")
	cmd.AddCommand(show)
	return cmd
}

// shownRule is one rule of a resolved profile, in profile YAML syntax.
type shownRule struct {
	Enabled  *bool          `yaml:"enabled,omitempty"`
	Severity string         `yaml:"severity,omitempty"`
	Params   map[string]any `yaml:"params,omitempty"`
}

// shownProfile is a resolved profile in profile YAML syntax.
type shownProfile struct {
	Name        string               `yaml:"name"`
	Description string               `yaml:"description"`
	Rules       map[string]shownRule `yaml:"rules"`
}

func runProfilesShow(_ context.Context, s streams, args []string, o profilesOptions) error {
	cfg, err := profiles.Load(args[0], o.ProfileFiles...)
	if err != nil {
		return err
	}
	out := shownProfile{
		Name:        strings.ReplaceAll(cfg.Profile, ",", "+"),
		Description: "Resolved from " + cfg.Profile + " by tcpaudit profiles show.",
		Rules:       map[string]shownRule{},
	}
	for id, rc := range cfg.Rules {
		r, _ := rules.Lookup(id)
		sr := shownRule{Params: rc.Params}
		if !rc.Enabled {
			off := false
			sr.Enabled = &off
		}
		sev := rc.Severity
		if sev == 0 {
			sev = r.Severity
		}
		sr.Severity = sev.String()
		out.Rules[id] = sr
	}
	enc := yaml.NewEncoder(s.out)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write profile: %w", err)
	}
	return enc.Close()
}

// firstSentence shortens a description for the listing.
func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}

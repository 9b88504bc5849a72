package main

import (
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
	cmd := &cobra.Command{
		Use:   "profiles",
		Short: "List the built-in profiles",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
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
		},
	}
	show := &cobra.Command{
		Use:   "show NAME[,NAME...]",
		Short: "Print a resolved profile as YAML (extends: and composition applied)",
		Long: "show resolves the profiles as check --profile does (each extends: chain first,\n" +
			"later profiles override earlier ones) and prints every rule that runs with its\n" +
			"severity and thresholds. The output is itself a profile: save it and pass it\n" +
			"with --profile-file to start a profile of your own.",
		Args: cobra.ExactArgs(1),
	}
	show.Flags().StringSlice("profile-file", nil, "extra profile YAML files; their names can be used in NAME")
	show.RunE = withOptions(func(_ *cobra.Command, args []string, o profilesOptions) error {
		return runProfilesShow(s, args[0], o)
	})
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

func runProfilesShow(s streams, spec string, o profilesOptions) error {
	cfg, err := profiles.Load(spec, o.ProfileFiles...)
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

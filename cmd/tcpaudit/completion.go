package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/sockets"
)

// noFiles is the directive of a completion whose values are all listed.
const noFiles = cobra.ShellCompDirectiveNoFileComp

// addCompletions registers, on every command under root, the values shell
// completion offers for flags whose values are known (by flag name) and
// for the arguments of explain and profiles show, so that none of them
// falls back to file names.
func addCompletions(root *cobra.Command) {
	values := map[string]cobra.CompletionFunc{
		"profile":     completeProfiles,
		"fail-on":     fixed([]string{"info", "warning", "critical", "never"}),
		"source":      fixed([]string{string(audit.CensusAuto), string(audit.CensusNetlink), string(audit.CensusProc)}),
		"by":          fixed([]string{string(sockets.ByState), string(sockets.ByPort), string(sockets.ByRemote), string(sockets.ByProcess)}),
		"state":       fixed(stateNames()),
		"proc-root":   completeDirs,
		"sysctl-root": completeDirs,
		"root":        completeDirs,
		"profile-file": func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return []string{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
		},
	}
	var walk func(*cobra.Command)
	walk = func(cmd *cobra.Command) {
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if fn, ok := values[f.Name]; ok {
				_ = cmd.RegisterFlagCompletionFunc(f.Name, fn)
			}
			if f.Name == "format" {
				formats := report.Formats
				if cmd.Flags().Lookup("fail-on") == nil {
					formats = []string{"text", "json"} // the commands of textOrJSON
				}
				_ = cmd.RegisterFlagCompletionFunc(f.Name, fixed(formats))
			}
		})
		for _, c := range cmd.Commands() {
			walk(c)
		}
	}
	walk(root)
	for _, c := range root.Commands() {
		switch c.Name() {
		case "explain":
			// The topics are listed when completing, not for every command
			// run (they cost 330 KB of allocations in a check).
			c.ValidArgsFunction = oneArg(func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				return fixed(report.TopicNames())(cmd, args, toComplete)
			})
		case "profiles":
			for _, show := range c.Commands() {
				show.ValidArgsFunction = oneArg(completeProfiles)
			}
		}
	}
}

// fixed offers the values that start with what was typed.
func fixed(values []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return prefixed(values, toComplete), noFiles
	}
}

// prefixed returns the values that start with prefix.
func prefixed(values []string, prefix string) []string {
	var out []string
	for _, v := range values {
		if strings.HasPrefix(v, prefix) {
			out = append(out, v)
		}
	}
	return out
}

// oneArg completes the first argument with fn and offers nothing after it.
func oneArg(fn cobra.CompletionFunc) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, noFiles
		}
		return fn(cmd, args, toComplete)
	}
}

// completeProfiles offers the profile names, built in and from the
// --profile-file files given so far, after the comma-separated names
// already typed ("web-server,h" offers "web-server,hardened").
func completeProfiles(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	names := profiles.Names()
	if files, err := cmd.Flags().GetStringSlice("profile-file"); err == nil {
		for _, file := range files {
			if p, err := profiles.ReadFile(file); err == nil && !slices.Contains(names, p.Name) {
				names = append(names, p.Name)
			}
		}
	}
	prefix := toComplete[:strings.LastIndex(toComplete, ",")+1]
	typed := strings.Split(prefix, ",")
	var out []string
	for _, n := range names {
		if !slices.Contains(typed, n) {
			out = append(out, prefix+n)
		}
	}
	return prefixed(out, toComplete), noFiles
}

// completeDirs offers directories only.
func completeDirs(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveFilterDirs
}

// stateNames are the TCP states as --state takes them: close-wait.
func stateNames() []string {
	var names []string
	for _, st := range audit.States() {
		names = append(names, strings.ToLower(strings.ReplaceAll(st.String(), "_", "-")))
	}
	return names
}

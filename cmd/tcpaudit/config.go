package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/tcpaudit/tcpaudit/config"
)

// withOptions returns a RunE that binds the command's flags (with the
// environment and the configuration file below them), decodes them into the
// command's options struct O, checks them with O's validate method if it
// has one, and calls run. An O that embeds auditOptions also gets the
// configuration file's rule overrides and waivers.
func withOptions[O any](s streams, run func(ctx context.Context, s streams, args []string, o O) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		v, file, err := readOptions(cmd)
		if err != nil {
			return err
		}
		if err := checkValues[O](cmd.Flags(), file); err != nil {
			return err
		}
		var o O
		if err := v.Unmarshal(&o); err != nil {
			return fmt.Errorf("options: %w", err)
		}
		if c, ok := any(&o).(interface{ setConfig(*config.File) }); ok {
			c.setConfig(file)
		}
		if c, ok := any(&o).(validator); ok {
			if err := c.validate(); err != nil {
				return blame(cmd.Flags(), file, err)
			}
		}
		if err := run(cmd.Context(), s, args, o); err != nil && !errors.Is(err, errFindings) {
			return blame(cmd.Flags(), file, err)
		} else if err != nil {
			return err
		}
		return nil
	}
}

// validator is options that check themselves before the run.
type validator interface{ validate() error }

// The options of these commands must check themselves: the build fails if
// an embedding makes their validate method ambiguous and so absent.
var (
	_ validator = (*checkOptions)(nil)
	_ validator = (*lintOptions)(nil)
	_ validator = (*confOptions)(nil)
	_ validator = (*socketsOptions)(nil)
	_ validator = (*fixOptions)(nil)
	_ validator = (*serveOptions)(nil)
)

// readOptions binds a command's flags to a fresh viper instance with
// TCPAUDIT_* environment variables below them and the configuration file,
// read once, below both. It returns the file, nil when there is none.
func readOptions(cmd *cobra.Command) (*viper.Viper, *config.File, error) {
	v := viper.New()
	v.SetEnvPrefix("TCPAUDIT")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	if err := v.BindPFlags(cmd.Flags()); err != nil {
		return nil, nil, fmt.Errorf("bind flags: %w", err)
	}
	file, err := config.Load(v.GetString("config"), optionKeys(cmd.Root()))
	if err != nil {
		return nil, nil, err
	}
	if err := flagsOnly(cmd.Flags(), file); err != nil {
		return nil, nil, err
	}
	if file == nil {
		return v, nil, nil
	}
	if err := v.MergeConfigMap(file.Options); err != nil {
		return nil, nil, fmt.Errorf("config %s: %w", file.Path, err)
	}
	v.Set("config", file.Path)
	return v, file, nil
}

// writeOptions are the options that name a file to write: they are taken
// from the command line only, so neither a configuration file nor the
// environment makes tcpaudit write a file its caller did not name.
var writeOptions = []string{"output", "write"}

// flagsOnly refuses a write option of the command set by the
// configuration file or the environment without the matching flag on the
// command line, and a write flag given an empty name.
func flagsOnly(flags *pflag.FlagSet, file *config.File) error {
	for _, name := range writeOptions {
		f := flags.Lookup(name)
		if f != nil && f.Changed && f.Value.String() == "" {
			// -o "$OUT" with OUT unset would write to stdout unnoticed.
			return fmt.Errorf("--%s is empty: name the file to write (or leave the flag out for stdout)", name)
		}
		if f == nil || f.Changed {
			continue
		}
		env := "TCPAUDIT_" + strings.ToUpper(name)
		if _, ok := os.LookupEnv(env); ok {
			return fmt.Errorf("%s is set: a file is written only when --%s is on the command line", env, name)
		}
		if file == nil {
			continue
		}
		if _, ok := file.Options[name]; ok {
			return fmt.Errorf("config %s: %s: a file is written only when --%s is on the command line", file.Path, name, name)
		}
	}
	return nil
}

// optionKeys are the flag names of every command under root: the option
// keys a configuration file may set, whichever command reads it.
func optionKeys(root *cobra.Command) []string {
	var keys []string
	add := func(f *pflag.Flag) {
		if f.Name != "config" && f.Name != "help" {
			keys = append(keys, f.Name)
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(add)
		c.PersistentFlags().VisitAll(add)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	slices.Sort(keys)
	return slices.Compact(keys)
}

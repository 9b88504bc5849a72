package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// fileConfig is what a configuration file holds besides command options:
// per-rule overrides (profile syntax) and waivers.
type fileConfig struct {
	Path      string
	Overrides *profiles.Profile
	Waivers   []rules.Waiver
}

// configCandidates are the files looked for when --config is not given,
// first found wins.
func configCandidates() []string {
	xdg := os.Getenv("XDG_CONFIG_HOME")
	if xdg == "" {
		if home, err := os.UserHomeDir(); err == nil {
			xdg = filepath.Join(home, ".config")
		}
	}
	c := []string{".tcpaudit.yaml"}
	if xdg != "" {
		c = append(c, filepath.Join(xdg, "tcpaudit", "config.yaml"))
	}
	return append(c, "/etc/tcpaudit/config.yaml")
}

// findConfig returns the configuration file to use: explicit must exist;
// otherwise the first candidate that exists, or "".
func findConfig(explicit string) (string, error) {
	if explicit != "" {
		if _, err := os.Stat(explicit); err != nil {
			return "", fmt.Errorf("config: %w", err)
		}
		return explicit, nil
	}
	for _, c := range configCandidates() {
		// A candidate in a directory the user cannot enter (another
		// user's home) is not theirs: skip it like a missing one.
		if _, err := os.Stat(c); err == nil {
			return c, nil
		} else if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) {
			return "", fmt.Errorf("config %s: %w", c, err)
		}
	}
	return "", nil
}

// loadConfigFile finds the configuration file, validates it strictly and
// layers its options under the environment and the flags of v.
func loadConfigFile(v *viper.Viper) error {
	path, err := findConfig(v.GetString("config"))
	if err != nil || path == "" {
		return err
	}
	if _, err := readConfigFile(path); err != nil {
		return err
	}
	v.SetConfigFile(path)
	v.SetConfigType("yaml")
	if err := v.ReadInConfig(); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	v.Set("config", path)
	return nil
}

// loadProfile resolves the profiles and applies the configuration file's
// rule overrides and waivers, judged on today's date.
func loadProfile(spec string, files []string, configPath string, today time.Time) (rules.Config, error) {
	var fc *fileConfig
	if configPath != "" {
		var err error
		if fc, err = readConfigFile(configPath); err != nil {
			return rules.Config{}, err
		}
	}
	var overrides *profiles.Profile
	if fc != nil {
		overrides = fc.Overrides
	}
	cfg, err := profiles.LoadWith(spec, overrides, files...)
	if err != nil {
		return rules.Config{}, err
	}
	if fc != nil {
		cfg.Waivers = fc.Waivers
	}
	cfg.Today = today
	return cfg, nil
}

// optionKeys are the flag names of every command: the option keys a
// configuration file may set, whichever command reads it.
func optionKeys() map[string]bool {
	keys := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		add := func(f *pflag.Flag) { keys[f.Name] = true }
		c.LocalFlags().VisitAll(add)
		c.PersistentFlags().VisitAll(add)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(streams{out: io.Discard, err: io.Discard}))
	delete(keys, "config")
	delete(keys, "help")
	return keys
}

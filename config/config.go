// Package config finds and reads tcpaudit's configuration file: command
// options (below the environment and the flags), per-rule overrides in
// profile syntax, and waivers. The file is read once and validated
// strictly, each error naming the file and line.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// File is what a configuration file holds.
type File struct {
	// Path names the file.
	Path string
	// Options are the command options it sets, by flag name.
	Options map[string]any
	// Lines are the line of each option in Options, for errors about its
	// value.
	Lines map[string]int
	// Overrides are its rules: section, applied after every profile.
	Overrides *profiles.Profile
	// Waivers are its accepted findings.
	Waivers []rules.Waiver
}

// Candidates are the files looked for when no file is named, first found
// wins: ./.tcpaudit.yaml, $XDG_CONFIG_HOME/tcpaudit/config.yaml (or
// ~/.config/...), /etc/tcpaudit/config.yaml.
func Candidates() []string {
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

// Find returns the configuration file to use: explicit must exist;
// otherwise the first candidate that exists, or "". The file found, the
// target of a symlink and every directory on the way must be owned by root
// or by the invoking user, and writable by no one else (a directory may be
// if it has the sticky bit), or Find refuses it with an error naming it and
// the check that failed: a file planted in the working directory never
// configures the audit.
func Find(explicit string) (string, error) {
	if explicit != "" {
		if _, err := os.Stat(explicit); err != nil {
			return "", fmt.Errorf("config: %w", err)
		}
		return explicit, checkTrust(explicit)
	}
	for _, c := range Candidates() {
		// A candidate in a directory the user cannot enter (another
		// user's home) is not theirs: skip it like a missing one.
		if _, err := os.Stat(c); err == nil {
			return c, checkTrust(c)
		} else if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) {
			return "", fmt.Errorf("config %s: %w", c, err)
		}
	}
	return "", nil
}

// Load finds the configuration file (explicit, else the first candidate)
// and reads it; it returns nil when there is none. options are the option
// keys the file may set.
func Load(explicit string, options []string) (*File, error) {
	path, err := Find(explicit)
	if err != nil || path == "" {
		return nil, err
	}
	return Read(path, options)
}

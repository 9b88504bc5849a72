package main

import (
	"fmt"
	"io"
	"time"

	"github.com/tcpaudit/tcpaudit/config"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// Compatibility for lint*.go, sockets*.go and explain*.go until they use
// errFindings, plain errors and the pipeline. TODO: remove this file.

// codeError is kept for its callers: exit 1 without a message when code
// is exitFindings, else an ordinary error (exit 2).
//
// Deprecated: return errFindings or a plain error.
type codeError struct {
	code int
	err  error
}

func (e *codeError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *codeError) Unwrap() error { return e.err }

// Is makes a codeError of exitFindings an errFindings.
func (e *codeError) Is(target error) bool { return target == errFindings && e.code == exitFindings }

// usageError is fmt.Errorf.
//
// Deprecated: use fmt.Errorf.
func usageError(format string, args ...any) error { return fmt.Errorf(format, args...) }

// loadProfile reads the configuration file again for the commands that
// do not run the pipeline.
//
// Deprecated: run the pipeline with the options of withOptions.
func loadProfile(spec string, files []string, configPath string, today time.Time) (rules.Config, error) {
	var overrides *profiles.Profile
	var waivers []rules.Waiver
	if configPath != "" {
		f, err := config.Read(configPath, optionKeys(newRootCmd(streams{out: io.Discard, err: io.Discard})))
		if err != nil {
			return rules.Config{}, err
		}
		overrides, waivers = f.Overrides, f.Waivers
	}
	cfg, err := profiles.LoadWith(spec, overrides, files...)
	if err != nil {
		return rules.Config{}, err
	}
	cfg.Waivers, cfg.Today = waivers, today
	return cfg, nil
}

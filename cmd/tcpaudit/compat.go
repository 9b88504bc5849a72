package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/tcpaudit/tcpaudit/config"
	"github.com/tcpaudit/tcpaudit/pipeline"
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
// do not take auditOptions.
//
// Deprecated: embed auditOptions and call pipeline.Profile(o.pipeline()).
func loadProfile(spec string, files []string, configPath string, today time.Time) (rules.Config, error) {
	o := pipeline.Options{Profile: spec, ProfileFiles: files, Today: today}
	if configPath != "" {
		f, err := config.Read(configPath, optionKeys(newRootCmd(streams{out: io.Discard, err: io.Discard})))
		if err != nil {
			return rules.Config{}, err
		}
		o.Overrides, o.Waivers = f.Overrides, f.Waivers
	}
	return pipeline.Profile(o)
}

// bindFlags binds a command's flags, the TCPAUDIT_* environment and the
// configuration file to a fresh viper instance.
//
// Deprecated: use withOptions.
func bindFlags(cmd *cobra.Command) (*viper.Viper, error) {
	v, _, err := readOptions(cmd)
	return v, err
}

package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/tcpaudit/tcpaudit/config"
)

// checkValues decodes, one at a time, the option values of the command
// that come from the environment or the configuration file into O as the
// whole decoding will, and returns an error naming the first bad one where
// it was set: the variable, or the file and line. A value on the command
// line was already checked by its flag.
func checkValues[O any](flags *pflag.FlagSet, file *config.File) error {
	var err error
	flags.VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed {
			return
		}
		where, val, ok := optionSource(f.Name, file)
		if !ok {
			return
		}
		v := viper.New()
		v.Set(f.Name, val)
		var o O
		if v.Unmarshal(&o) != nil {
			err = fmt.Errorf("%s: %q %s", where, fmt.Sprint(val), wantValue(f.Value.Type()))
		}
	})
	return err
}

// optionSource returns where the option name takes its value when no flag
// sets it, as viper reads them: a non-empty TCPAUDIT_* variable, else the
// configuration file; where names the variable, or the file, line and key.
func optionSource(name string, file *config.File) (where string, val any, ok bool) {
	env := "TCPAUDIT_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	if s := os.Getenv(env); s != "" {
		return "environment " + env, s, true
	}
	if file == nil {
		return "", nil, false
	}
	if val, ok = file.Options[name]; ok {
		return fmt.Sprintf("config %s:%d: %s", file.Path, file.Lines[name], name), val, true
	}
	return "", nil, false
}

// wantValue says what a flag of type typ (pflag's name for it) takes.
func wantValue(typ string) string {
	switch {
	case typ == "bool":
		return "is not true or false"
	case typ == "duration":
		return "is not a duration such as 500ms, 30s or 5m"
	case strings.HasPrefix(typ, "int"), strings.HasPrefix(typ, "uint"), strings.HasPrefix(typ, "float"), typ == "count":
		return "is not a number"
	case typ == "string":
		return "is not a single value"
	case strings.HasSuffix(typ, "Slice"):
		return "is not a list (a YAML list or comma-separated)"
	}
	return "is not a value of type " + typ
}

// blame prefixes err with where the option it concerns took its value,
// when that is the environment or the configuration file: an error that
// starts with the option's flag (--NAME), or that quotes the option's
// value (or, for a path, names it). A flag on the command line needs no
// saying.
func blame(flags *pflag.FlagSet, file *config.File, err error) error {
	msg := err.Error()
	var where string
	flags.VisitAll(func(f *pflag.Flag) {
		if where != "" || f.Changed {
			return
		}
		w, val, ok := optionSource(f.Name, file)
		if !ok {
			return
		}
		rest, named := strings.CutPrefix(msg, "--"+f.Name)
		named = named && (rest == "" || rest[0] == ':' || rest[0] == ' ')
		if named || mentions(msg, val) {
			where = w
		}
	})
	if where == "" {
		return err
	}
	return fmt.Errorf("%s: %w", where, err)
}

// mentions reports whether msg quotes val, or names it when it is a path.
func mentions(msg string, val any) bool {
	var vals []string
	switch v := val.(type) {
	case []any:
		for _, e := range v {
			vals = append(vals, fmt.Sprint(e))
		}
	default:
		vals = []string{fmt.Sprint(v)}
	}
	for _, s := range vals {
		if s == "" {
			continue
		}
		if strings.Contains(msg, strconv.Quote(s)) || strings.Contains(s, "/") && strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

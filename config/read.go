package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/tcpaudit/tcpaudit/internal/input"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// lineError is a problem at a line of a configuration file.
func lineError(path string, n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("config %s:%d: %s", path, n.Line, fmt.Sprintf(format, args...))
}

// Read decodes a configuration file strictly: every top-level key must be
// one of options, rules or waivers; rule IDs, rule settings and waiver
// fields are checked, each error naming the file and line.
func Read(path string, options []string) (*File, error) {
	b, err := input.ReadFile(path, input.MaxConfig)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	f := &File{
		Path:      path,
		Options:   map[string]any{},
		Lines:     map[string]int{},
		Overrides: &profiles.Profile{Name: "config", Source: path, Rules: map[string]profiles.RuleSettings{}},
	}
	if len(doc.Content) == 0 {
		return f, nil
	}
	top := doc.Content[0]
	if err := noDuplicates(path, top); err != nil {
		return nil, err
	}
	if top.Kind != yaml.MappingNode {
		return nil, lineError(path, top, "want a mapping of options, rules and waivers")
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		if err := f.readKey(top.Content[i], top.Content[i+1], options); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// noDuplicates rejects a mapping, at any depth, that sets a key twice:
// YAML forbids it, and one of the values would be dropped unseen. Aliases
// are not followed (their target is checked where it is defined).
func noDuplicates(path string, n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		seen := make(map[string]int, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if line, dup := seen[k.Value]; dup {
				return lineError(path, k, "%q is already set at line %d", k.Value, line)
			}
			seen[k.Value] = k.Line
		}
	}
	if n.Kind == yaml.AliasNode {
		return nil
	}
	for _, c := range n.Content {
		if err := noDuplicates(path, c); err != nil {
			return err
		}
	}
	return nil
}

// readKey reads one top-level key and its value.
func (f *File) readKey(key, val *yaml.Node, options []string) error {
	var err error
	switch {
	case key.Value == "rules":
		err = readOverrides(f.Path, val, f.Overrides.Rules)
	case key.Value == "waivers":
		f.Waivers, err = readWaivers(f.Path, val)
	case !slices.Contains(options, key.Value):
		err = lineError(f.Path, key, "unknown key %q (want rules, waivers or an option: %s)", key.Value, strings.Join(slices.Sorted(slices.Values(options)), ", "))
	default:
		var v any
		if err := val.Decode(&v); err != nil {
			return lineError(f.Path, val, "%s: %v", key.Value, err)
		}
		f.Options[key.Value] = v
		f.Lines[key.Value] = val.Line
	}
	return err
}

// checkKeys rejects keys of a mapping outside allowed.
func checkKeys(path string, n *yaml.Node, what string, allowed ...string) error {
	if n.Kind != yaml.MappingNode {
		return lineError(path, n, "%s: want a mapping", what)
	}
	for i := 0; i < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(allowed, k.Value) {
			return lineError(path, k, "%s: unknown key %q (want %s)", what, k.Value, strings.Join(allowed, ", "))
		}
	}
	return nil
}

func readOverrides(path string, n *yaml.Node, out map[string]profiles.RuleSettings) error {
	if n.Kind != yaml.MappingNode {
		return lineError(path, n, "rules: want a mapping of rule IDs")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		id, val := n.Content[i], n.Content[i+1]
		if _, ok := rules.Lookup(id.Value); !ok {
			return lineError(path, id, "rules: unknown rule %q (tcpaudit rules lists them)", id.Value)
		}
		if err := checkKeys(path, val, "rule "+id.Value, "enabled", "severity", "params"); err != nil {
			return err
		}
		var s profiles.RuleSettings
		if err := val.Decode(&s); err != nil {
			return lineError(path, val, "rule %s: %v", id.Value, err)
		}
		if s.Severity != "" {
			if _, err := rules.ParseSeverity(s.Severity); err != nil {
				return lineError(path, val, "rule %s: %v", id.Value, err)
			}
		}
		out[id.Value] = s
	}
	return nil
}

func readWaivers(path string, n *yaml.Node) ([]rules.Waiver, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, lineError(path, n, "waivers: want a list of {rule, reason, expires}")
	}
	var out []rules.Waiver
	for _, item := range n.Content {
		if err := checkKeys(path, item, "waiver", "rule", "reason", "expires"); err != nil {
			return nil, err
		}
		var raw struct{ Rule, Reason, Expires string }
		if err := item.Decode(&raw); err != nil {
			return nil, lineError(path, item, "waiver: %v", err)
		}
		w, err := waiver(raw.Rule, raw.Reason, raw.Expires)
		if err != nil {
			return nil, lineError(path, item, "waiver: %v", err)
		}
		w.Source = fmt.Sprintf("%s:%d", path, item.Line)
		out = append(out, w)
	}
	return out, nil
}

func waiver(rule, reason, expires string) (rules.Waiver, error) {
	if _, ok := rules.Lookup(rule); !ok {
		return rules.Waiver{}, fmt.Errorf("unknown rule %q", rule)
	}
	if strings.TrimSpace(reason) == "" {
		return rules.Waiver{}, errors.New("reason is required")
	}
	day, err := time.Parse(rules.DateLayout, expires)
	if err != nil {
		return rules.Waiver{}, fmt.Errorf("expires %q: want a date as YYYY-MM-DD", expires)
	}
	return rules.Waiver{Rule: rule, Reason: reason, Expires: day}, nil
}

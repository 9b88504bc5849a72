package profiles

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tcpaudit/tcpaudit/rules"
)

// Load resolves a comma-separated list of profile names ("web-server,hardened")
// into one rules.Config. Names are looked up among the given user profile
// files first, then the built-in profiles; later profiles override earlier
// ones, and each profile's extends: chain is applied before it. A profile
// reached twice (a base shared by two combined profiles) is applied once.
func Load(spec string, files ...string) (rules.Config, error) {
	return LoadWith(spec, nil, files...)
}

// overridesName is the name overrides are applied under; no file can
// declare it.
const overridesName = "\x00overrides"

// LoadWith is Load with overrides applied after every named profile: the
// rules: section of a configuration file. Its Source names the file in
// errors.
func LoadWith(spec string, overrides *Profile, files ...string) (rules.Config, error) {
	user := map[string]*Profile{}
	for _, f := range files {
		p, err := ReadFile(f)
		if err != nil {
			return rules.Config{}, err
		}
		user[p.Name] = p
	}
	names := splitNames(spec)
	if len(names) == 0 {
		names = []string{Default}
	}
	r := resolver{user: user, merged: map[string]RuleSettings{}}
	for _, n := range names {
		if err := r.apply(n, nil); err != nil {
			return rules.Config{}, err
		}
	}
	if overrides != nil {
		o := *overrides
		o.Name, o.Extends = overridesName, nil
		r.user[overridesName] = &o
		if err := r.apply(overridesName, nil); err != nil {
			return rules.Config{}, err
		}
	}
	cfg, err := r.config()
	if err != nil {
		return rules.Config{}, fmt.Errorf("profile %s: %w", strings.Join(names, ","), err)
	}
	cfg.Profile = strings.Join(names, ",")
	return cfg, nil
}

func splitNames(spec string) []string {
	var out []string
	for _, n := range strings.Split(spec, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

type resolver struct {
	user   map[string]*Profile
	merged map[string]RuleSettings
	// origin remembers which profile last set each rule, for errors.
	origin map[string]string
	// applied holds the profiles already merged: a base shared by two
	// combined profiles is applied once, so it cannot reset the first
	// profile's overrides when the second one's chain is applied.
	applied map[string]bool
}

func (r *resolver) lookup(name string) (*Profile, error) {
	if p, ok := r.user[name]; ok {
		return p, nil
	}
	return Builtin(name)
}

// apply merges a profile after its extends: chain; stack detects cycles.
func (r *resolver) apply(name string, stack []string) error {
	for _, s := range stack {
		if s == name {
			return fmt.Errorf("profile %s: extends cycle %s -> %s", name, strings.Join(stack, " -> "), name)
		}
	}
	if r.applied[name] {
		return nil
	}
	p, err := r.lookup(name)
	if err != nil && len(stack) > 0 {
		return fmt.Errorf("profile %s: extends: %w", stack[len(stack)-1], err)
	} else if err != nil {
		return err
	}
	for _, parent := range p.Extends {
		if err := r.apply(parent, append(stack, name)); err != nil {
			return err
		}
	}
	if r.origin == nil {
		r.origin = map[string]string{}
	}
	for id, s := range p.Rules {
		m := r.merged[id]
		if s.Enabled != nil {
			m.Enabled = s.Enabled
		}
		if s.Severity != "" {
			m.Severity = s.Severity
		}
		if len(s.Params) > 0 && m.Params == nil {
			m.Params = map[string]yaml.Node{}
		} else if len(s.Params) > 0 {
			m.Params = clone(m.Params)
		}
		for k, v := range s.Params {
			m.Params[k] = v
		}
		r.merged[id] = m
		r.origin[id] = p.Source
	}
	if r.applied == nil {
		r.applied = map[string]bool{}
	}
	r.applied[name] = true
	return nil
}

func clone(m map[string]yaml.Node) map[string]yaml.Node {
	c := make(map[string]yaml.Node, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// config validates the merged settings against the catalog.
func (r *resolver) config() (rules.Config, error) {
	cfg := rules.Config{Rules: map[string]rules.RuleConfig{}}
	for _, rule := range rules.Catalog() {
		s, ok := r.merged[rule.ID]
		if !ok {
			continue
		}
		rc := rules.RuleConfig{Enabled: s.Enabled == nil || *s.Enabled}
		if s.Severity != "" {
			sev, err := rules.ParseSeverity(s.Severity)
			if err != nil {
				return cfg, fmt.Errorf("rule %s (%s): %w", rule.ID, r.origin[rule.ID], err)
			}
			rc.Severity = sev
		}
		params, err := decodeParams(rule, s.Params)
		if err != nil {
			return cfg, fmt.Errorf("rule %s (%s): %w", rule.ID, r.origin[rule.ID], err)
		}
		rc.Params = params
		cfg.Rules[rule.ID] = rc
	}
	return cfg, nil
}

// decodeParams types each parameter as the rule declares it; unknown and
// missing parameters are errors.
func decodeParams(rule rules.Rule, raw map[string]yaml.Node) (rules.Params, error) {
	out := rules.Params{}
	declared := map[string]rules.Param{}
	for _, p := range rule.Params {
		declared[p.Name] = p
	}
	for name, node := range raw {
		d, ok := declared[name]
		if !ok {
			return nil, fmt.Errorf("line %d: unknown parameter %q", node.Line, name)
		}
		v, err := decodeParam(d.Kind, &node)
		if err != nil {
			return nil, fmt.Errorf("line %d: parameter %s: %w", node.Line, name, err)
		}
		out[name] = v
	}
	for _, p := range rule.Params {
		if _, ok := out[p.Name]; !ok {
			return nil, fmt.Errorf("missing parameter %q (%s)", p.Name, p.Doc)
		}
	}
	return out, nil
}

func decodeParam(kind rules.ParamKind, n *yaml.Node) (any, error) {
	switch kind {
	case rules.IntParam:
		var v int64
		err := n.Decode(&v)
		return v, err
	case rules.FloatParam:
		var v float64
		err := n.Decode(&v)
		return v, err
	case rules.IntsParam:
		var v []int64
		err := n.Decode(&v)
		return v, err
	case rules.StringParam:
		var v string
		err := n.Decode(&v)
		return v, err
	case rules.SeverityParam:
		var name string
		if err := n.Decode(&name); err != nil {
			return nil, err
		}
		return rules.ParseSeverity(name)
	}
	return nil, fmt.Errorf("unsupported parameter kind %d", kind)
}

// Package profiles holds tcpaudit's profiles: YAML data, embedded in the
// binary, that say which rules run with which thresholds. It decodes them
// strictly, resolves extends: chains and validates them against the rule
// catalog, producing a rules.Config.
package profiles

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tcpaudit/tcpaudit/internal/input"
	"github.com/tcpaudit/tcpaudit/rules"
)

//go:embed *.yaml
var builtin embed.FS

// Default is the profile used when none is named.
const Default = "baseline"

// Profile is one decoded profile file.
type Profile struct {
	Name        string                  `yaml:"name"`
	Description string                  `yaml:"description"`
	Extends     stringList              `yaml:"extends"`
	Rules       map[string]RuleSettings `yaml:"rules"`
	// Source is where the profile came from ("builtin" or a file path).
	Source string `yaml:"-"`
}

// RuleSettings is a profile's raw setting for one rule; Params are decoded
// against the rule's declarations when the profile is resolved.
type RuleSettings struct {
	Enabled  *bool                `yaml:"enabled"`
	Severity string               `yaml:"severity"`
	Params   map[string]yaml.Node `yaml:"params"`
}

// stringList accepts "extends: a" and "extends: [a, b]".
type stringList []string

func (s *stringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*s = []string{n.Value}
		return nil
	}
	var l []string
	if err := n.Decode(&l); err != nil {
		return err
	}
	*s = l
	return nil
}

// Names lists the built-in profiles.
func Names() []string {
	entries, _ := fs.ReadDir(builtin, ".")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// Builtin returns a built-in profile by name.
func Builtin(name string) (*Profile, error) {
	b, err := builtin.ReadFile(name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("unknown profile %q (built-in profiles: %s)", name, strings.Join(Names(), ", "))
	}
	return Decode(b, "builtin:"+name+".yaml")
}

// ReadFile decodes a user profile file.
func ReadFile(file string) (*Profile, error) {
	b, err := input.ReadFile(file, input.MaxConfig)
	if err != nil {
		return nil, fmt.Errorf("read profile: %w", err)
	}
	return Decode(b, file)
}

// Decode parses one profile strictly: unknown fields are errors with the
// line, and so are unknown rule IDs.
func Decode(b []byte, source string) (*Profile, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var p Profile
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("profile %s: empty file", source)
		}
		return nil, decodeError(source, err)
	}
	if p.Name == "" {
		p.Name = strings.TrimSuffix(path.Base(source), ".yaml")
	}
	p.Source = source
	for id := range p.Rules {
		if _, ok := rules.Lookup(id); !ok {
			return nil, fmt.Errorf("profile %s (%s:%d): unknown rule %q", p.Name, source, ruleLine(b, id), id)
		}
	}
	return &p, nil
}

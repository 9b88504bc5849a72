package profiles

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

var (
	// yamlUnknownField is how the YAML decoder reports an unknown key.
	yamlUnknownField = regexp.MustCompile(`^line (\d+): field (\S+) not found in type \S+$`)
	// yamlLine is the line prefix of the decoder's other messages.
	yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
)

// decodeError rewrites a YAML decoding error as "profile FILE:LINE: what",
// one entry per problem, without the decoder's Go type names.
func decodeError(source string, err error) error {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	out := make([]string, 0, len(msgs))
	for _, m := range msgs {
		if g := yamlUnknownField.FindStringSubmatch(m); g != nil {
			out = append(out, fmt.Sprintf("%s:%s: unknown key %q", source, g[1], g[2]))
		} else if g := yamlLine.FindStringSubmatch(m); g != nil {
			out = append(out, fmt.Sprintf("%s:%s: %s", source, g[1], g[2]))
		} else {
			out = append(out, fmt.Sprintf("%s: %s", source, strings.TrimPrefix(m, "yaml: ")))
		}
	}
	return fmt.Errorf("profile %s", strings.Join(out, "; "))
}

// ruleLine returns the line of a rule's key under rules:, or 0.
func ruleLine(b []byte, id string) int {
	var doc yaml.Node
	if yaml.Unmarshal(b, &doc) != nil || len(doc.Content) == 0 {
		return 0
	}
	rules := mappingValue(doc.Content[0], "rules")
	if rules == nil {
		return 0
	}
	for i := 0; i+1 < len(rules.Content); i += 2 {
		if rules.Content[i].Value == id {
			return rules.Content[i].Line
		}
	}
	return 0
}

// mappingValue returns the value of key in a mapping node, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

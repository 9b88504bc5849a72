package profiles

import (
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/rules"
)

// FuzzDecode feeds arbitrary bytes to the profile decoder and resolves
// what it accepts as a user profile (extends: chains, parameter decoding): it yields a configuration of known rules or an error naming
// the source, and never panics. Seeds live in testdata/fuzz/FuzzDecode
// and include every built-in profile.
func FuzzDecode(f *testing.F) {
	for _, n := range Names() {
		b, err := builtin.ReadFile(n + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("name: loop\nextends: loop\n"))
	f.Add([]byte("name: x\nextends: [web-server, hardened]\nrules:\n  fin-timeout:\n    enabled: false\n    severity: info\n    params: {max: 30}\n"))
	f.Add([]byte("rules:\n  close-wait-accumulation:\n    params: &a {warning: 1, critical: *a}\n"))
	const source = "fuzz/profile.yaml"
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode(data, source)
		if err != nil {
			if !strings.Contains(err.Error(), source) {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		// Resolve it as Load resolves a user profile file of that name.
		r := resolver{user: map[string]*Profile{p.Name: p}, merged: map[string]RuleSettings{}}
		err = r.apply(p.Name, nil)
		var cfg rules.Config
		if err == nil {
			cfg, err = r.config()
		}
		if err != nil {
			if !strings.Contains(err.Error(), source) && !strings.Contains(err.Error(), p.Name) {
				t.Errorf("error names neither the file nor the profile %q: %v", p.Name, err)
			}
			return
		}
		for id := range cfg.Rules {
			if _, ok := rules.Lookup(id); !ok {
				t.Errorf("resolved configuration holds unknown rule %q", id)
			}
		}
	})
}

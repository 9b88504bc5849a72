package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadConfigFile feeds arbitrary bytes to the configuration reader: it
// returns a configuration or an error that names the file, and never
// panics. Seeds live in testdata/fuzz/FuzzReadConfigFile.
func FuzzReadConfigFile(f *testing.F) {
	f.Add([]byte("profile: hardened\nrules:\n  fin-timeout:\n    params: {max: 30}\nwaivers:\n  - rule: fin-timeout\n    reason: x\n    expires: 2030-01-01\n"))
	f.Add([]byte("waivers: {rule: x}\n"))
	f.Add([]byte("rules: [1, 2]\n"))
	path := filepath.Join(f.TempDir(), "c.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		fc, err := readConfigFile(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		for _, w := range fc.Waivers {
			if w.Reason == "" || w.Expires.IsZero() || !strings.HasPrefix(w.Source, path+":") {
				t.Errorf("accepted waiver %+v", w)
			}
		}
	})
}

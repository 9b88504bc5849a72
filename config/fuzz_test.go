package config_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/config"
)

// FuzzRead feeds arbitrary bytes to the configuration reader: it returns a
// configuration or an error that names the file, and never panics. Seeds
// live in testdata/fuzz/FuzzRead.
func FuzzRead(f *testing.F) {
	f.Add([]byte("profile: hardened\nrules:\n  fin-timeout:\n    params: {max: 30}\nwaivers:\n  - rule: fin-timeout\n    reason: x\n    expires: 2030-01-01\n"))
	f.Add([]byte("waivers: {rule: x}\n"))
	f.Add([]byte("rules: [1, 2]\n"))
	path := filepath.Join(f.TempDir(), "c.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		fc, err := config.Read(path, testOptions)
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
		for k := range fc.Options {
			if !slices.Contains(testOptions, k) {
				t.Errorf("accepted option %q", k)
			}
		}
	})
}

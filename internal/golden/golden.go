// Package golden compares test outputs with golden files and rewrites
// them when a test is run with its -update flag.
package golden

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Compare reports the difference between got and the file at path with
// diff, or, when update is set, writes got to path (through a temporary
// file renamed over it).
func Compare(t testing.TB, path string, got []byte, update bool, diff func(want, got []byte) string) {
	t.Helper()
	if update {
		if err := write(path, got); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if d := diff(want, got); d != "" {
		t.Errorf("%s differs (-want +got; run the test with -update if the change is intended):\n%s", path, d)
	}
}

// Text compares two texts line by line.
func Text(want, got []byte) string { return cmp.Diff(string(want), string(got)) }

// JSON compares two JSON documents by meaning.
func JSON(want, got []byte) string {
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		return "golden file is not JSON: " + err.Error()
	}
	if err := json.Unmarshal(got, &g); err != nil {
		return "output is not JSON: " + err.Error()
	}
	return cmp.Diff(w, g)
}

func write(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".golden-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

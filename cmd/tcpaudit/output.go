package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/rules"
)

// writeAtomic writes a file through write: into a temporary file in the
// same directory, renamed over path only when write and the close succeed,
// so readers never see a partial file.
func writeAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	// Flushed before the rename, so a crash leaves the old report or the
	// new one, never an empty file under the name.
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeReport renders res to out, or atomically to the file named by
// output when it is set.
func writeReport(out io.Writer, output, format string, res rules.Result, o report.Options) error {
	if output == "" {
		if err := report.Write(out, format, res, o); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		return nil
	}
	return writeAtomic(output, func(w io.Writer) error { return report.Write(w, format, res, o) })
}

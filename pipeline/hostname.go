package pipeline

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/input"
)

// Hostname names the audited host: the proc root's sys/kernel/hostname (a
// snapshot keeps it); else this host's name for the live /proc, or the proc
// root's directory name for a copy without the file.
func Hostname(procRoot string) string {
	if b, err := input.ReadFile(filepath.Join(procRoot, "sys", "kernel", "hostname"), input.MaxSmall); err == nil {
		if h := strings.TrimSpace(string(b)); h != "" {
			return h
		}
	}
	if audit.IsLive(procRoot) {
		h, _ := os.Hostname()
		return h
	}
	abs, err := filepath.Abs(procRoot)
	if err != nil {
		return ""
	}
	return filepath.Base(abs)
}

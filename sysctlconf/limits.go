package sysctlconf

import (
	"github.com/tcpaudit/tcpaudit/internal/input"
)

// MaxFile bounds one configuration file. systemd-sysctl has no such limit,
// but a real sysctl.d file is a few KiB; the limit leaves room for one
// line of systemd's maximum length (MaxLine) and keeps a hostile tree from
// exhausting memory (every line read is kept, with its diagnostics).
const MaxFile = 2 * MaxLine

// readHost reads a whole configuration file under the same limits.
func readHost(host string) ([]byte, error) {
	return input.ReadFile(host, MaxFile)
}

package sysctlconf

import (
	"github.com/tcpaudit/tcpaudit/internal/input"
)

// MaxFile bounds one configuration file. systemd-sysctl has no such limit,
// but a real sysctl.d file is a few KiB, and the limit keeps a hostile
// tree from exhausting memory.
const MaxFile = 16 << 20

// readHost reads a whole configuration file under the same limits.
func readHost(host string) ([]byte, error) {
	return input.ReadFile(host, MaxFile)
}

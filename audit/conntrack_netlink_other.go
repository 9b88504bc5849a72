//go:build !linux || tcpaudit_portable

package audit

import "fmt"

// NetlinkConntrackTCP fails: ctnetlink exists only on Linux. The error
// wraps ErrConntrackNetlink.
func NetlinkConntrackTCP() (map[string]int64, error) {
	return nil, fmt.Errorf("%w: needs Linux", ErrConntrackNetlink)
}

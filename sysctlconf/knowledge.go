package sysctlconf

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tcpaudit/tcpaudit/sysctl"
)

// Limits is what the kernel accepts for one key (docs/kernel-facts.md §19):
// the bounds of package sysctl's table with the key's removal and scope.
type Limits struct {
	// Fields is the number of integers the value holds.
	Fields int
	// Min and Max bound every field; where the kernel enforces nothing
	// they are the limits of the C type.
	Min, Max int64
	// Removed names the kernel release that removed the key.
	Removed string
	// Global keys exist only in the initial network namespace.
	Global bool
}

// Known returns what the reference says about a key written dotted or with
// slashes, when it states bounds for it. It forwards to package sysctl
// (sysctl.Lookup and sysctl.Key.Limits).
func Known(key string) (Limits, bool) {
	k, ok := sysctl.Lookup(Canonical(key))
	if !ok {
		return Limits{}, false
	}
	l, ok := k.Limits()
	if !ok {
		return Limits{}, false
	}
	return Limits{Fields: l.Fields, Min: l.Min, Max: l.Max, Removed: k.Removed, Global: k.Global()}, true
}

// Check returns why the kernel would reject value for key, or nil when the
// value is within the key's bounds or the key is not in the table.
func Check(key, value string) error {
	l, ok := Known(key)
	if !ok || l.Fields == 0 {
		return nil
	}
	fields := strings.Fields(value)
	if len(fields) != l.Fields && !(l.Fields > 1 && len(fields) < l.Fields) {
		return fmt.Errorf("%s takes %d integer(s), %q has %d", key, l.Fields, value, len(fields))
	}
	var nums []int64
	for _, s := range fields {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("%s takes integers, %q is not one", key, s)
		}
		if n < l.Min || n > l.Max {
			return fmt.Errorf("%s: %d is outside the kernel's bounds %d..%d", key, n, l.Min, l.Max)
		}
		nums = append(nums, n)
	}
	if Canonical(key) == "net.ipv4.ip_local_port_range" && len(nums) == 2 && nums[0] > nums[1] {
		return fmt.Errorf("%s: low end %d is above high end %d", key, nums[0], nums[1])
	}
	return nil
}

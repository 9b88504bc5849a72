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

// Check returns why the kernel would not take value for key as written, or
// nil when it takes it whole or the key is not in the table. It reads the
// value as the kernel's integer parser does (docs/kernel-facts.md §32):
// after the integers the key holds, text that follows whitespace is ignored
// and the write succeeds; that case is a *TrailingError.
func Check(key, value string) error {
	l, ok := Known(key)
	if !ok || l.Fields == 0 {
		return nil
	}
	nums, rest, err := kernelInts(value, l.Fields)
	switch {
	case err != nil:
		return fmt.Errorf("%s takes integers, %w", key, err)
	case len(nums) == 0:
		return fmt.Errorf("%s takes %d integer(s), %q has none", key, l.Fields, value)
	case len(nums) < l.Fields && l.Fields == 1:
		return fmt.Errorf("%s takes %d integer(s), %q has %d", key, l.Fields, value, len(nums))
	}
	for _, n := range nums {
		if n < l.Min || n > l.Max {
			return fmt.Errorf("%s: %d is outside the kernel's bounds %d..%d", key, n, l.Min, l.Max)
		}
	}
	if Canonical(key) == "net.ipv4.ip_local_port_range" && len(nums) == 2 && nums[0] > nums[1] {
		return fmt.Errorf("%s: low end %d is above high end %d", key, nums[0], nums[1])
	}
	if rest != "" {
		return &TrailingError{Key: key, Fields: l.Fields, Applied: nums, Ignored: rest}
	}
	return nil
}

// TrailingError is a value whose integers the kernel sets while it ignores
// the text after them: the write succeeds (docs/kernel-facts.md §32).
type TrailingError struct {
	Key string
	// Fields is the number of integers the key holds.
	Fields int
	// Applied are the integers the kernel sets.
	Applied []int64
	// Ignored is the text the kernel drops.
	Ignored string
}

func (e *TrailingError) Error() string {
	return fmt.Sprintf("%s takes %d integer(s): the kernel sets %s and ignores %q", e.Key, e.Fields, e.Value(), e.Ignored)
}

// Value returns the integers the kernel sets, as sysctl prints them.
func (e *TrailingError) Value() string {
	s := make([]string, len(e.Applied))
	for i, n := range e.Applied {
		s[i] = strconv.FormatInt(n, 10)
	}
	return strings.Join(s, " ")
}

// kernelInts reads up to n integers from value as proc_dointvec does: each
// after optional whitespace, an optional '-', then digits in C's base 0
// (0x hex, 0 octal), ended by a space, a tab, a newline or the end. It
// returns the integers and the text after the n-th (trimmed), which the
// kernel ignores; an integer ended by anything else is an error (EINVAL).
func kernelInts(value string, n int) ([]int64, string, error) {
	var nums []int64
	rest := strings.TrimLeft(value, " \t\n\v\f\r")
	for len(nums) < n && rest != "" {
		end := strings.IndexAny(rest, " \t\n")
		if end < 0 {
			end = len(rest)
		}
		num, err := cInt(rest[:end])
		if err != nil {
			return nil, "", err
		}
		nums = append(nums, num)
		rest = strings.TrimLeft(rest[end:], " \t\n\v\f\r")
	}
	return nums, strings.TrimRight(rest, " \t\n\v\f\r"), nil
}

// cInt parses an integer as the kernel's strtoul in base 0 with an
// optional '-': Go's prefixes 0b and 0o, '+' and '_' are not C's.
func cInt(tok string) (int64, error) {
	t := strings.TrimPrefix(tok, "-")
	c := strings.ToLower(t + "  ")
	if t == "" || t[0] < '0' || t[0] > '9' || strings.Contains(t, "_") || c[:2] == "0b" || c[:2] == "0o" {
		return 0, fmt.Errorf("%q is not one", tok)
	}
	n, err := strconv.ParseInt(tok, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not one", tok)
	}
	return n, nil
}

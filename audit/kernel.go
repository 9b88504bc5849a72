package audit

import (
	"strconv"
	"strings"
)

// Kernel is the running kernel's release as read from
// sys/kernel/osrelease.
type Kernel struct {
	Release             string
	Major, Minor, Patch int
	// Known is false when the release could not be read or parsed.
	Known bool
}

// ParseRelease parses "6.1.0-18-amd64" style releases; the result is not
// Known when the string does not start with MAJOR.MINOR.
func ParseRelease(release string) Kernel {
	k := Kernel{Release: strings.TrimSpace(release)}
	num := k.Release
	if i := strings.IndexFunc(num, func(r rune) bool { return (r < '0' || r > '9') && r != '.' }); i >= 0 {
		num = num[:i]
	}
	parts := strings.Split(num, ".")
	if len(parts) < 2 {
		return k
	}
	var nums [3]int
	for i := 0; i < len(parts) && i < 3; i++ {
		n, err := strconv.Atoi(parts[i])
		if err != nil {
			if i < 2 {
				return k
			}
			break
		}
		nums[i] = n
	}
	k.Major, k.Minor, k.Patch, k.Known = nums[0], nums[1], nums[2], true
	return k
}

// AtLeast reports whether the kernel is at least major.minor. An unknown
// kernel is assumed current.
func (k Kernel) AtLeast(major, minor int) bool {
	if !k.Known {
		return true
	}
	return k.Major > major || (k.Major == major && k.Minor >= minor)
}

package audit_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
)

// TestParseRelease reads distribution and vanilla release strings.
func TestParseRelease(t *testing.T) {
	tests := []struct {
		in   string
		want audit.Kernel
	}{
		{"6.1.0-18-amd64", audit.Kernel{Release: "6.1.0-18-amd64", Major: 6, Minor: 1, Patch: 0, Known: true}},
		{"6.1.0-18-amd64\n", audit.Kernel{Release: "6.1.0-18-amd64", Major: 6, Minor: 1, Patch: 0, Known: true}},
		{"4.9.0", audit.Kernel{Release: "4.9.0", Major: 4, Minor: 9, Known: true}},
		{"5.4", audit.Kernel{Release: "5.4", Major: 5, Minor: 4, Known: true}},
		{"6.18.44-fc-v769", audit.Kernel{Release: "6.18.44-fc-v769", Major: 6, Minor: 18, Patch: 44, Known: true}},
		{"3.10.0-1160.el7.x86_64", audit.Kernel{Release: "3.10.0-1160.el7.x86_64", Major: 3, Minor: 10, Known: true}},
		{"5.15.0+", audit.Kernel{Release: "5.15.0+", Major: 5, Minor: 15, Known: true}},
		{"4.19.", audit.Kernel{Release: "4.19.", Major: 4, Minor: 19, Known: true}},
		{"garbage", audit.Kernel{Release: "garbage"}},
		{"", audit.Kernel{}},
		{"6", audit.Kernel{Release: "6"}},
		{"6.", audit.Kernel{Release: "6."}},
		{".1.0", audit.Kernel{Release: ".1.0"}},
		{"6..1", audit.Kernel{Release: "6..1"}},
		{"v6.1.0", audit.Kernel{Release: "v6.1.0"}},
		{"99999999999999999999.1", audit.Kernel{Release: "99999999999999999999.1"}},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, audit.ParseRelease(tt.in)); d != "" {
			t.Errorf("ParseRelease(%q) (-want +got):\n%s", tt.in, d)
		}
	}
}

// TestKernelAtLeast compares versions; an unknown kernel counts as current.
func TestKernelAtLeast(t *testing.T) {
	tests := []struct {
		release      string
		major, minor int
		want         bool
	}{
		{"4.11.0", 4, 12, false},
		{"4.12.0", 4, 12, true},
		{"4.9.0", 4, 12, false},
		{"5.0.0", 4, 12, true},
		{"3.19.8", 4, 0, false},
		{"6.1.0-18-amd64", 6, 1, true},
		{"garbage", 99, 0, true},
	}
	for _, tt := range tests {
		if got := audit.ParseRelease(tt.release).AtLeast(tt.major, tt.minor); got != tt.want {
			t.Errorf("%s AtLeast(%d, %d) = %v, want %v", tt.release, tt.major, tt.minor, got, tt.want)
		}
	}
}

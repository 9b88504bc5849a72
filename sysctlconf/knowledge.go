package sysctlconf

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Limits is what the kernel accepts for one key (from sysctl-truth.tsv).
type Limits struct {
	// Fields is the number of integers the value holds; 0 for a string.
	Fields int
	// Min and Max bound every field; where the kernel enforces nothing
	// they are the limits of the C type.
	Min, Max int64
	// Removed names the kernel release that removed the key.
	Removed string
	// Global keys exist only in the initial network namespace.
	Global bool
}

const (
	intMax = math.MaxInt32
	intMin = math.MinInt32
	u8     = 255
)

// knowledge holds the keys whose bounds the reference gives.
var knowledge = map[string]Limits{
	"net.ipv4.ip_local_port_range":               {Fields: 2, Min: 1, Max: 65535},
	"net.ipv4.ip_unprivileged_port_start":        {Fields: 1, Min: 0, Max: 65535},
	"net.ipv4.ip_autobind_reuse":                 {Fields: 1, Min: 0, Max: 1},
	"net.ipv4.tcp_fin_timeout":                   {Fields: 1, Min: intMin, Max: intMax},
	"net.ipv4.tcp_tw_reuse":                      {Fields: 1, Min: 0, Max: 2},
	"net.ipv4.tcp_tw_recycle":                    {Fields: 1, Min: 0, Max: 1, Removed: "4.12"},
	"net.ipv4.tcp_max_tw_buckets":                {Fields: 1, Min: intMin, Max: intMax},
	"net.ipv4.tcp_timestamps":                    {Fields: 1, Min: 0, Max: u8},
	"net.ipv4.tcp_keepalive_time":                {Fields: 1, Min: intMin, Max: intMax},
	"net.ipv4.tcp_keepalive_intvl":               {Fields: 1, Min: intMin, Max: intMax},
	"net.ipv4.tcp_keepalive_probes":              {Fields: 1, Min: 0, Max: u8},
	"net.ipv4.tcp_max_syn_backlog":               {Fields: 1, Min: intMin, Max: intMax},
	"net.ipv4.tcp_syncookies":                    {Fields: 1, Min: 0, Max: u8},
	"net.ipv4.tcp_synack_retries":                {Fields: 1, Min: 0, Max: u8},
	"net.ipv4.tcp_syn_retries":                   {Fields: 1, Min: 1, Max: 127},
	"net.ipv4.tcp_orphan_retries":                {Fields: 1, Min: 0, Max: u8},
	"net.ipv4.tcp_max_orphans":                   {Fields: 1, Min: intMin, Max: intMax, Global: true},
	"net.ipv4.tcp_retries2":                      {Fields: 1, Min: 0, Max: u8},
	"net.ipv4.tcp_rfc1337":                       {Fields: 1, Min: 0, Max: u8},
	"net.ipv4.tcp_slow_start_after_idle":         {Fields: 1, Min: 0, Max: u8},
	"net.ipv4.tcp_rmem":                          {Fields: 3, Min: 4096, Max: intMax},
	"net.ipv4.tcp_wmem":                          {Fields: 3, Min: 1, Max: intMax},
	"net.ipv4.tcp_mem":                           {Fields: 3, Min: 0, Max: math.MaxInt64, Global: true},
	"net.ipv4.tcp_mtu_probing":                   {Fields: 1, Min: 0, Max: u8},
	"net.ipv4.tcp_fastopen":                      {Fields: 1, Min: intMin, Max: intMax},
	"net.ipv4.tcp_sack":                          {Fields: 1, Min: 0, Max: u8},
	"net.ipv4.tcp_window_scaling":                {Fields: 1, Min: 0, Max: u8},
	"net.core.somaxconn":                         {Fields: 1, Min: 0, Max: intMax},
	"net.core.netdev_max_backlog":                {Fields: 1, Min: intMin, Max: intMax, Global: true},
	"net.core.rmem_max":                          {Fields: 1, Min: 0, Max: intMax, Global: true},
	"net.core.wmem_max":                          {Fields: 1, Min: 0, Max: intMax, Global: true},
	"net.ipv4.icmp_echo_ignore_broadcasts":       {Fields: 1, Min: 0, Max: 1},
	"net.ipv4.icmp_ignore_bogus_error_responses": {Fields: 1, Min: 0, Max: 1},
}

// Known returns what the reference says about a canonical key.
func Known(key string) (Limits, bool) {
	l, ok := knowledge[Canonical(key)]
	return l, ok
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

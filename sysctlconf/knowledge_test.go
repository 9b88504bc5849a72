package sysctlconf

import "testing"

func TestCheck(t *testing.T) {
	tests := []struct {
		key, value string
		bad        bool
	}{
		{"net.ipv4.tcp_syn_retries", "6", false},
		{"net.ipv4.tcp_syn_retries", "0", true},
		{"net.ipv4.tcp_syn_retries", "128", true},
		{"net/ipv4/tcp_tw_reuse", "3", true},
		{"net.ipv4.ip_local_port_range", "32768\t60999", false},
		{"net.ipv4.ip_local_port_range", "60999 32768", true},
		{"net.ipv4.ip_local_port_range", "0 60999", true},
		{"net.ipv4.tcp_rmem", "4096 131072 6291456", false},
		{"net.ipv4.tcp_rmem", "1024 131072 6291456", true},
		{"net.ipv4.tcp_rmem", "4096 131072 6291456 7", true},
		{"net.ipv4.tcp_fin_timeout", "60 # note", true},
		{"net.ipv4.tcp_fin_timeout", "abc", true},
		{"net.ipv4.tcp_congestion_control", "bbr", false},
		{"net.ipv4.not_in_table", "x", false},
	}
	for _, tt := range tests {
		if err := Check(tt.key, tt.value); (err != nil) != tt.bad {
			t.Errorf("Check(%s, %q) = %v, want bad=%v", tt.key, tt.value, err, tt.bad)
		}
	}
}

func TestKnownRemoved(t *testing.T) {
	if l, ok := Known("net/ipv4/tcp_tw_recycle"); !ok || l.Removed != "4.12" {
		t.Errorf("tcp_tw_recycle: %+v %v, want removed in 4.12", l, ok)
	}
}

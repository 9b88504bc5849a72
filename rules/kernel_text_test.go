package rules_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/sysctl"
)

// textFacts pins the key fact of each corrected text: phrases it must hold
// and phrases of the old, inaccurate wording it must not
// (docs/kernel-facts.md §5, §7, §9, §13, §17, §18).
var textFacts = []struct {
	rule      string
	has, lost []string
}{
	{"ipv4-secure-redirects-accepted", []string{"only on an interface whose shared_media is 0",
		"shared_media defaults to 1", "accepted whatever secure_redirects says", "not only default routes",
		"accept_redirects = 0"}, []string{"default gateway list"}},
	{"core-buffer-limits-low", []string{"read-only, with the host's value", "only the initial network namespace can change"},
		[]string{"gives each namespace its own", "give each namespace its own"}},
	{"tw-reuse", []string{"tcp_tw_reuse_delay", "from the entry into TIME_WAIT", "clock second",
		"already bound to a local port", "whatever tcp_tw_reuse says"}, []string{"at least 1 s"}},
	{"orphan-pressure", []string{"a socket being closed is reset", "half or a quarter of the limit",
		"up to its send buffer"}, []string{"64 KiB", "resets orphans at once"}},
	{"congestion-control", []string{"namespace's default at handshake time", "TCP_CONGESTION"},
		[]string{"inherit the listener's"}},
	{"default-qdisc", []string{"taking a link down and up keeps its existing root qdisc", "tc qdisc replace"},
		[]string{"until the device is reset"}},
	{"ip-forwarding", []string{"Changing ip_forward", "writing the same value changes nothing"},
		[]string{"Writing ip_forward also resets"}},
	{"close-wait-accumulation", []string{"no sysctl applies to an idle CLOSE_WAIT socket", "SO_KEEPALIVE",
		"tcp_retries2", "TCP_USER_TIMEOUT"}, nil},
	{"martians-not-logged", []string{"net_ratelimit()", "message_cost", "message_burst"}, []string{"printk"}},
	{"listen-queue-overflow", []string{"the client is already ESTABLISHED", "repeats its SYN-ACK"},
		[]string{"Clients see connect timeouts and retransmitted SYNs"}},
	{"ephemeral-port-exhaustion", []string{"every port held by bind()", "any other explicitly bound socket"},
		[]string{"minus reserved and listening ports"}},
}

// TestKernelAccurateTexts holds each rule's explanation to textFacts.
func TestKernelAccurateTexts(t *testing.T) {
	for _, tt := range textFacts {
		r, ok := rules.Lookup(tt.rule)
		if !ok {
			t.Fatalf("no rule %s", tt.rule)
		}
		for _, s := range tt.has {
			if !strings.Contains(r.Explanation, s) {
				t.Errorf("%s: explanation lacks %q", tt.rule, s)
			}
		}
		for _, s := range tt.lost {
			if strings.Contains(r.Explanation, s) {
				t.Errorf("%s: explanation still says %q", tt.rule, s)
			}
		}
	}
}

// TestStateTexts pins what ends SYN_SENT, TIME_WAIT and CLOSE_WAIT
// (docs/kernel-facts.md §4, §17): both SYN_SENT timings with the kernels
// they belong to, the three early ends of TIME_WAIT, and that
// tcp_fin_timeout does not shorten TIME_WAIT.
func TestStateTexts(t *testing.T) {
	for name, want := range map[string][]string{
		"SYN_SENT": {"tcp_syn_linear_timeouts does not exist (kernels before 6.5)", "the last at about 63 s, giving up at about 127 s",
			"6.5 and later, default 4", "10 retransmissions, the last at about 67 s, giving up at about 131 s"},
		"TIME_WAIT": {"TCP_TW_SYN", "tcp_rfc1337 = 0", "tcp_tw_reuse allows", "tcp_fin_timeout does not shorten TIME_WAIT",
			"tcp_tw_reuse_delay"},
		"CLOSE_WAIT": {"no sysctl applies to an idle CLOSE_WAIT socket", "SO_KEEPALIVE", "TCP_USER_TIMEOUT"},
	} {
		st, ok := rules.LookupState(name)
		if !ok {
			t.Fatalf("no state %s", name)
		}
		text := strings.Join([]string{st.Meaning, st.MovesOn, st.Lasts, st.Piles}, " ")
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q:\n%s", name, w, text)
			}
		}
	}
	k, ok := rules.LookupKey("net.ipv4.tcp_fin_timeout")
	if !ok || !strings.HasPrefix(k.Corrections[0], "tcp_fin_timeout does not shorten TIME_WAIT") {
		t.Errorf("tcp_fin_timeout corrections %q, want the first to say it does not shorten TIME_WAIT", k.Corrections)
	}
}

// TestSynLinearTimeoutsOnThisKernel: the key table dates
// tcp_syn_linear_timeouts to 6.5 with default 4; the running kernel must
// agree (the key exists from 6.5 on, and a fresh boot keeps 4 unless set).
func TestSynLinearTimeoutsOnThisKernel(t *testing.T) {
	k, ok := sysctl.Lookup("net.ipv4.tcp_syn_linear_timeouts")
	if !ok || k.Default != "4" || !strings.Contains(k.History, "added in 6.5") {
		t.Fatalf("key table: %+v %v, want default 4, added in 6.5", k, ok)
	}
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		t.Skipf("no running kernel to ask: %v", err)
	}
	kernel := audit.ParseRelease(string(b))
	_, err = os.Stat("/proc/sys/net/ipv4/tcp_syn_linear_timeouts")
	if have := err == nil; have != kernel.AtLeast(6, 5) {
		t.Errorf("kernel %s: tcp_syn_linear_timeouts present %v, want %v", kernel.Release, have, kernel.AtLeast(6, 5))
	}
}

// TestCoreBuffersInContainer: in a child namespace rmem_max and wmem_max
// are read-only; the finding says to set them on the host, while on a
// host's own namespace it does not.
func TestCoreBuffersInContainer(t *testing.T) {
	for host, child := range map[string]bool{"container": true, "healthy": false} {
		found := check(t, "high-throughput", "core-buffer-limits-low", gather(t, host))
		if len(found) != 2 {
			t.Fatalf("%s: %d findings, want rmem_max and wmem_max", host, len(found))
		}
		for _, f := range found {
			if got := strings.Contains(f.Fix.Advice, "Set it on the host"); got != child {
				t.Errorf("%s: advice %q; says to set it on the host %v, want %v", host, f.Fix.Advice, got, child)
			}
			if child && len(f.Fix.Sysctl) > 0 {
				t.Errorf("%s: fix line %v inside a child namespace", host, f.Fix.Sysctl)
			}
		}
	}
}

// TestSecureRedirectsReportsSharedMedia: the secure_redirects finding says
// on which interfaces shared_media is on (secure_redirects has no effect
// there) and on which it is 0; without shared_media files it says nothing
// of it (docs/kernel-facts.md §13).
func TestSecureRedirectsReportsSharedMedia(t *testing.T) {
	root := copyHost(t, "hardening-fail")
	conf := filepath.Join(root, "sys", "net", "ipv4", "conf")
	for dev, v := range map[string]string{"all": "0", "default": "1", "eth0": "0", "eth0.100": "0", "eth1": "1"} {
		if err := os.WriteFile(filepath.Join(conf, dev, "shared_media"), []byte(v+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const id = "ipv4-secure-redirects-accepted"
	for _, tt := range []struct {
		root, want string
	}{
		{root, "shared_media is on for eth1, new interfaces (conf/default), where secure_redirects has no effect; " +
			"shared_media is 0 for eth0, eth0.100, where secure_redirects applies"},
		{filepath.Join(hardeningHosts, "hardening-fail"), ""},
	} {
		var found []rules.Finding
		for _, f := range evaluateRoot(t, tt.root, "hardened").Findings {
			if f.Rule == id {
				found = append(found, f)
			}
		}
		if len(found) != 1 {
			t.Fatalf("%s: %d findings of %s, want 1", tt.root, len(found), id)
		}
		if got := found[0].Observed; (tt.want == "") == strings.Contains(got, "shared_media") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: observed %q, want %q", tt.root, got, tt.want)
		}
	}
}

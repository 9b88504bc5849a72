package lint

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/profiles"
)

// checkCase is one configuration and the findings one check gives on it.
type checkCase struct {
	name  string
	check string
	files map[string]string
	// keys are the keys under the proc root's sys/; nil means no sys/
	// directory, so keys are looked up in the knowledge base.
	keys    []string
	profile string
	want    []string
}

var checkCases = []checkCase{
	{name: "comment and missing '='", check: "lint-syntax",
		files: map[string]string{"a.conf": "vm.swappiness = 10 # note\nnet.ipv4.tcp_keepalive_time\n"},
		want:  []string{"lint-syntax critical a.conf:2", "lint-syntax warning a.conf:1"}},
	{name: "interface with a dot", check: "lint-syntax",
		files: map[string]string{"a.conf": "net.ipv4.conf.eth0.1.rp_filter = 1\n"},
		want:  []string{"lint-syntax warning a.conf:1"}},
	{name: "clean lines", check: "lint-syntax",
		files: map[string]string{"a.conf": "# comment\nnet.ipv4.tcp_fin_timeout = 30\n"}},
	{name: "semicolon comment", check: "lint-procps-systemd-difference",
		files: map[string]string{"a.conf": "; a comment for procps\n"},
		want:  []string{"lint-procps-systemd-difference info a.conf:1"}},
	{name: "hash comment", check: "lint-procps-systemd-difference",
		files: map[string]string{"a.conf": "# a comment for both\n"}},
	{name: "missing, per interface, global, ignore-failure", check: "lint-unknown-key",
		files: map[string]string{"a.conf": "net.ipv4.tcp_fin_timeout = 30\nnet.ipv4.tcp_no_such_key = 1\n" +
			"net.ipv4.conf.eth7.rp_filter = 1\nnet.ipv4.tcp_mem = 1 2 3\n-net.ipv4.tcp_other_key = 1\nnet.ipv4.tcp_tw_recycle = 0\n"},
		keys: []string{"net.ipv4.tcp_fin_timeout", "net.ipv4.conf.all.rp_filter"},
		want: []string{"lint-unknown-key warning a.conf:2", "lint-unknown-key info a.conf:3",
			"lint-unknown-key info a.conf:4", "lint-unknown-key info a.conf:5"}},
	{name: "misspelt next to the real key", check: "lint-unknown-key",
		files: map[string]string{"a.conf": "net.ipv4.conf.eth7.rp_filter = 1\nnet.ipv4.conf.all.rp_filer = 1\n"},
		keys:  []string{"net.ipv4.conf.all.rp_filter"},
		want:  []string{"lint-unknown-key warning a.conf:2", "lint-unknown-key info a.conf:1"}},
	{name: "knowledge base without sys/", check: "lint-unknown-key",
		files: map[string]string{"a.conf": "net.ipv4.tcp_fin_timeout = 30\nnet.ipv4.conf.eth7.rp_filter = 1\n" +
			"net.ipv4.tcp_no_such_key = 1\nnet.ipv4.conf.eth0.1.rp_filter = 1\nnet.core.somaxconn = 4096\n"},
		want: []string{"lint-unknown-key info a.conf:3", "lint-unknown-key info a.conf:4"}},
	{name: "every key present", check: "lint-unknown-key",
		files: map[string]string{"a.conf": "net.ipv4.tcp_fin_timeout = 30\n"},
		keys:  []string{"net.ipv4.tcp_fin_timeout"}},
	{name: "tcp_tw_recycle", check: "lint-removed-key",
		files: map[string]string{"a.conf": "net.ipv4.tcp_fin_timeout = 30\nnet/ipv4/tcp_tw_recycle = 0\n"},
		want:  []string{"lint-removed-key warning a.conf:2"}},
	{name: "no removed key", check: "lint-removed-key",
		files: map[string]string{"a.conf": "net.ipv4.tcp_fin_timeout = 30\n"}},
	{name: "above the maximum", check: "lint-out-of-bounds",
		files: map[string]string{"a.conf": "net.ipv4.tcp_syn_retries = 300\n"},
		want:  []string{"lint-out-of-bounds warning a.conf:1"}},
	{name: "within bounds", check: "lint-out-of-bounds",
		files: map[string]string{"a.conf": "net.ipv4.tcp_syn_retries = 5\n"}},
	// The later value wins; the same value again names the first line.
	{name: "later file wins", check: "lint-shadowed",
		files: map[string]string{"10-a.conf": "net.ipv4.tcp_syn_retries = 5\nnet.ipv4.tcp_fin_timeout = 30\n",
			"20-b.conf": "net.ipv4.tcp_syn_retries = 6\nnet.ipv4.tcp_fin_timeout = 30\n"},
		want: []string{"lint-shadowed info 10-a.conf:1", "lint-shadowed info 20-b.conf:2"}},
	{name: "one place per key", check: "lint-shadowed",
		files: map[string]string{"10-a.conf": "net.ipv4.tcp_syn_retries = 5\n", "20-b.conf": "net.ipv4.tcp_fin_timeout = 30\n"}},
	{name: "rule on a key and the defaults of the others", check: "lint-profile-conflict", profile: "hardened",
		files: map[string]string{"a.conf": "net.ipv4.tcp_fin_timeout = 30\nnet.ipv4.conf.all.accept_redirects = 1\n"},
		want:  []string{"lint-profile-conflict warning a.conf:2"}},
	{name: "removed key left to lint-removed-key", check: "lint-profile-conflict",
		files: map[string]string{"a.conf": "net.ipv4.tcp_tw_recycle = 1\n"}},
	{name: "as the profile wants", check: "lint-profile-conflict", profile: "hardened",
		files: map[string]string{"a.conf": "net.ipv4.tcp_syncookies = 1\n"}},
}

// TestChecks runs every check on its cases: files in a directory, read in
// name order, and the findings of that check alone.
func TestChecks(t *testing.T) {
	for _, c := range checkCases {
		t.Run(c.check+"/"+c.name, func(t *testing.T) {
			dir := writeTree(t, c.files)
			proc := t.TempDir()
			if c.keys != nil {
				proc = procSys(t, c.keys...)
			}
			name := c.profile
			if name == "" {
				name = profiles.Default
			}
			tree, err := Load([]string{dir})
			if err != nil {
				t.Fatal(err)
			}
			res := Run(tree, Options{Profile: profile(t, name), ProcRoot: proc})
			var got []string
			for _, s := range summary(t, res, dir) {
				if strings.HasPrefix(s, c.check+" ") {
					got = append(got, s)
				}
			}
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestCheckList: every check has a unique ID, a title and an explanation,
// and cases where it finds something and where it does not.
func TestCheckList(t *testing.T) {
	ids := map[string]bool{}
	for _, c := range Checks() {
		r := c.Rule
		if ids[r.ID] || r.Title == "" || r.Explanation == "" || r.Category == "" || r.Severity == 0 || c.Run == nil {
			t.Errorf("%s: duplicate or incomplete: %+v", r.ID, r)
		}
		ids[r.ID] = true
		var failing, passing bool
		for _, cc := range checkCases {
			if cc.check == r.ID {
				failing, passing = failing || len(cc.want) > 0, passing || len(cc.want) == 0
			}
		}
		if !failing || !passing {
			t.Errorf("%s: a case that finds something %v, one that finds nothing %v", r.ID, failing, passing)
		}
	}
}

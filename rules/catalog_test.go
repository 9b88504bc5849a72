package rules_test

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// hostsDir holds the fixture proc trees (testdata/hosts/gen writes them).
const hostsDir = "../testdata/hosts"

// failingHost names, for every rule, a fixture host on which the baseline
// profile makes it fail. Every rule passes on "healthy".
var failingHost = map[string]string{
	"close-wait-accumulation":        "close-wait-leak",
	"time-wait-bucket-pressure":      "tw-overflow",
	"ephemeral-port-range":           "misconfigured",
	"listen-port-in-ephemeral-range": "misconfigured",
	"ephemeral-port-exhaustion":      "port-exhaustion",
	"tw-recycle-enabled":             "old-kernel-tw-recycle",
	"tw-reuse":                       "old-kernel-tw-recycle",
	"tw-reuse-needs-timestamps":      "misconfigured",
	"fin-timeout":                    "misconfigured",
	"listen-queue-overflow":          "listen-overflow",
	"syncookies-disabled":            "misconfigured",
	"somaxconn-low":                  "misconfigured",
	"orphan-pressure":                "memory-pressure",
	"tcp-memory-pressure":            "memory-pressure",
	"runtime-config-drift":           "misconfigured",
}

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func TestCatalogShape(t *testing.T) {
	seen := map[string]bool{}
	categories := map[string]bool{rules.Lifecycle: true, rules.Capacity: true, rules.Hardening: true, rules.Performance: true}
	for _, r := range rules.Catalog() {
		if seen[r.ID] {
			t.Errorf("duplicate rule ID %q", r.ID)
		}
		seen[r.ID] = true
		if !kebab.MatchString(r.ID) {
			t.Errorf("rule ID %q is not kebab-case", r.ID)
		}
		if strings.TrimSpace(r.Title) == "" || strings.TrimSpace(r.Explanation) == "" || len(r.References) == 0 {
			t.Errorf("%s: title, explanation and references must not be empty", r.ID)
		}
		if !categories[r.Category] {
			t.Errorf("%s: category %q is not one of lifecycle, capacity, hardening, performance", r.ID, r.Category)
		}
		if _, err := r.Severity.MarshalText(); err != nil {
			t.Errorf("%s: default severity: %v", r.ID, err)
		}
		if r.Check == nil {
			t.Errorf("%s: no Check function", r.ID)
		}
		file := strings.ReplaceAll(r.ID, "-", "_") + ".go"
		if _, err := os.Stat(file); err != nil {
			t.Errorf("%s: the rule should live in %s: %v", r.ID, file, err)
		}
		if l, ok := rules.Lookup(r.ID); !ok || l.ID != r.ID {
			t.Errorf("Lookup(%q) does not find the rule", r.ID)
		}
	}
}

// facts caches the gathered facts of each fixture host.
var facts = struct {
	sync.Mutex
	m map[string]*audit.Facts
}{m: map[string]*audit.Facts{}}

func gather(t *testing.T, host string) *audit.Facts {
	t.Helper()
	facts.Lock()
	defer facts.Unlock()
	if f, ok := facts.m[host]; ok {
		return f
	}
	f, err := audit.Gather(audit.Options{ProcRoot: filepath.Join(hostsDir, host), Keys: rules.NewEngine().Keys()})
	if err != nil {
		t.Fatalf("gather %s: %v", host, err)
	}
	attachConfig(t, host, f)
	facts.m[host] = f
	return f
}

func evaluate(t *testing.T, host, profile string) rules.Result {
	t.Helper()
	cfg, err := profiles.Load(profile)
	if err != nil {
		t.Fatal(err)
	}
	return rules.NewEngine().Evaluate(gather(t, host), cfg)
}

func status(res rules.Result, id string) rules.Status {
	for _, e := range res.Evaluations {
		if e.Rule == id {
			return e.Status
		}
	}
	return "missing"
}

// TestEveryRuleHasFixtures: each rule fails on its fixture host and passes
// on the healthy one, with the baseline profile.
func TestEveryRuleHasFixtures(t *testing.T) {
	healthy := evaluate(t, "healthy", "baseline")
	for _, r := range rules.Catalog() {
		t.Run(r.ID, func(t *testing.T) {
			if p, ok := profileRules[r.ID]; ok {
				t.Skipf("TestHardeningFixtures checks it with %s on its own fixture hosts", p.profile)
			}
			if got := status(healthy, r.ID); got != rules.Passed {
				t.Errorf("on healthy: %s, want passed", got)
			}
			host, ok := failingHost[r.ID]
			if !ok {
				t.Fatalf("no failing fixture host: add one under testdata/hosts and to failingHost")
			}
			res := evaluate(t, host, "baseline")
			if got := status(res, r.ID); got != rules.Failed {
				t.Errorf("on %s: %s, want failed", host, got)
			}
			for _, f := range res.Findings {
				if f.Rule == r.ID && (f.Title == "" || f.Observed == "" || f.Expected == "" || f.Explanation == "") {
					t.Errorf("on %s: finding with an empty title, observed, expected or explanation: %+v", host, f)
				}
			}
		})
	}
	if len(failingHost)+len(profileRules) != len(rules.Catalog()) {
		t.Errorf("failingHost and profileRules have %d entries for %d rules: remove rules that no longer exist", len(failingHost)+len(profileRules), len(rules.Catalog()))
	}
}

// myths are claims kernel-facts.md §15 says the tool must never make, as
// lower-case phrases matched after dropping the "net.ipv4." and "net.core."
// prefixes.
var myths = []string{
	// 1, 4: tcp_fin_timeout is not the TIME_WAIT timer.
	"tcp_fin_timeout shortens time_wait", "tcp_fin_timeout controls time_wait",
	"tcp_fin_timeout reduces time_wait", "tcp_fin_timeout is the time_wait",
	"lower tcp_fin_timeout to reduce time_wait", "fin_wait2 and time_wait are the same",
	// 2: tcp_tw_recycle.
	"enable tcp_tw_recycle", "set tcp_tw_recycle to 1", "tcp_tw_recycle = 1 to", "tcp_tw_recycle=1 to",
	// 3: the port myth.
	"maximum of 65535 connections", "limit of 65535 connections", "only 65535 connections",
	"at most 65535 connections", "max 65535 connections",
	// 5, 6: tcp_tw_reuse.
	"tcp_tw_reuse reduces time_wait", "tcp_tw_reuse shortens time_wait",
	"tcp_tw_reuse for incoming", "tcp_tw_reuse helps incoming", "tcp_tw_reuse defaults to 0",
	"tcp_tw_reuse default is 0",
	// 7: timestamps.
	"disable tcp_timestamps", "set tcp_timestamps to 0", "tcp_timestamps = 0 to harden",
	// 8: tcp_max_syn_backlog.
	"raise tcp_max_syn_backlog", "increase tcp_max_syn_backlog", "tcp_max_syn_backlog sizes the syn queue",
	// 9: somaxconn.
	"somaxconn defaults to 128", "somaxconn default is 128", "default somaxconn of 128",
	// 10, 11: tcp_max_tw_buckets.
	"lower tcp_max_tw_buckets", "reduce tcp_max_tw_buckets", "decrease tcp_max_tw_buckets",
	"dmesg for time wait bucket table overflow",
	// 12: TIME_WAIT length.
	"2msl", "2 x msl", "2×msl", "time_wait lasts 4 minutes", "time_wait lasts 120", "time_wait lasts 240",
	"tune msl", "nf_conntrack_tcp_timeout_time_wait shortens",
	// 13, 15: retries and keepalive.
	"tcp_orphan_retries=0 disables", "tcp_orphan_retries = 0 disables",
	"tcp_keepalive_time drops idle", "drops idle connections after 2 h",
	// 16, 17: units and caps.
	"tcp_mem is in bytes", "tcp_mem in bytes", "tcp_mem (bytes)",
	"tcp_rmem caps so_rcvbuf", "tcp_wmem caps so_sndbuf",
	// 18, 19, 20.
	"sockstat tw is the number of time_wait", "tw = number of time_wait",
	"st=0c is", "rmem_max is unset", "tcp_mem is unset", "tcp_max_orphans is unset",
}

// mythIn returns the first myth text repeats.
func mythIn(text string) string {
	norm := strings.ToLower(text)
	norm = strings.NewReplacer("net.ipv4.", "", "net.core.", "").Replace(norm)
	for _, m := range myths {
		if strings.Contains(norm, m) {
			return m
		}
	}
	return ""
}

func TestMythDetector(t *testing.T) {
	for _, myth := range []string{
		"Enable net.ipv4.tcp_tw_recycle to get rid of TIME_WAIT.",
		"Lower tcp_fin_timeout to reduce TIME_WAIT.",
		"net.core.somaxconn defaults to 128.",
		"Note that tcp_mem is in bytes.",
	} {
		if mythIn(myth) == "" {
			t.Errorf("the detector misses %q", myth)
		}
	}
}

// TestNoMyths checks every explanation of the catalog and every text of
// every finding that the fixture hosts produce under every built-in profile.
func TestNoMyths(t *testing.T) {
	for _, r := range rules.Catalog() {
		for _, text := range []string{r.Title, r.Explanation} {
			if m := mythIn(text); m != "" {
				t.Errorf("%s: explanation repeats the myth %q", r.ID, m)
			}
		}
	}
	hosts, err := os.ReadDir(hostsDir)
	if err != nil {
		t.Fatal(err)
	}
	findings := 0
	for _, h := range hosts {
		if !h.IsDir() || h.Name() == "gen" {
			continue
		}
		for _, profile := range profiles.Names() {
			for _, f := range evaluate(t, h.Name(), profile).Findings {
				findings++
				for _, text := range []string{f.Title, f.Observed, f.Expected, f.Explanation, f.Fix.Advice} {
					if m := mythIn(text); m != "" {
						t.Errorf("%s on %s (%s): finding repeats the myth %q in %q", f.Rule, h.Name(), profile, m, text)
					}
				}
			}
		}
	}
	if findings < len(rules.Catalog()) {
		t.Errorf("only %d findings checked: the fixture hosts should make every rule fail", findings)
	}
}

// TestFixturesMatchGenerator regenerates the fixture trees and compares
// them with the committed ones, so fixtures change only through
// testdata/hosts/gen.
func TestFixturesMatchGenerator(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the fixture generator; skipped with -short")
	}
	out := t.TempDir()
	cmd := exec.Command("go", "run", "./testdata/hosts/gen", "-root", out)
	cmd.Dir = ".."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./testdata/hosts/gen: %v\n%s", err, b)
	}
	for _, dir := range []string{"hosts", "malformed"} {
		want := snapshotTree(t, filepath.Join(out, dir))
		got := snapshotTree(t, filepath.Join("../testdata", dir))
		delete(got, "gen")
		for name := range got {
			if strings.HasPrefix(name, "gen/") {
				delete(got, name)
			}
		}
		for name, w := range want {
			if g, ok := got[name]; !ok {
				t.Errorf("testdata/%s/%s is missing: run go run ./testdata/hosts/gen", dir, name)
			} else if g != w {
				t.Errorf("testdata/%s/%s differs from the generator's output: run go run ./testdata/hosts/gen", dir, name)
			}
		}
		for name := range got {
			if _, ok := want[name]; !ok {
				t.Errorf("testdata/%s/%s is not generated: add it to testdata/hosts/gen or delete it", dir, name)
			}
		}
	}
}

// snapshotTree maps each file under root to its content, and each symlink
// to its target.
func snapshotTree(t *testing.T, root string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(p)
			m[filepath.ToSlash(rel)] = "symlink:" + target
			return err
		}
		b, err := os.ReadFile(p)
		m[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestFixtureFormat holds every fixture's net/tcp and net/tcp6 to the
// kernel's format (kernel-facts §1-§3, §11): the header, IPv4 lines padded
// to 149 characters, sl counting from 0, listeners first, timewait
// minisocks with tr 3 and inode 0, request socks printed as 03 with inode
// 0, never 0C; and sockstat's tw and inuse agree with the lines.
func TestFixtureFormat(t *testing.T) {
	hosts, err := os.ReadDir(hostsDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hosts {
		if !h.IsDir() || h.Name() == "gen" {
			continue
		}
		t.Run(h.Name(), func(t *testing.T) {
			tw, inuse := 0, map[string]int{}
			for _, file := range []string{"tcp", "tcp6"} {
				b, err := os.ReadFile(filepath.Join(hostsDir, h.Name(), "net", file))
				if err != nil {
					continue
				}
				n, full := checkTCPFormat(t, file, string(b))
				tw += n
				inuse[file] = full
			}
			ss := map[string]int{}
			for _, name := range []string{"sockstat", "sockstat6"} {
				b, err := os.ReadFile(filepath.Join(hostsDir, h.Name(), "net", name))
				if err != nil {
					t.Fatal(err)
				}
				for _, line := range strings.Split(string(b), "\n") {
					f := strings.Fields(line)
					for i := 1; i+1 < len(f); i += 2 {
						var v int
						fmt.Sscan(f[i+1], &v)
						ss[f[0]+f[i]] = v
					}
				}
			}
			if ss["TCP:tw"] != tw || ss["TCP:inuse"] != inuse["tcp"] || ss["TCP6:inuse"] != inuse["tcp6"] {
				t.Errorf("sockstat tw %d, inuse %d, TCP6 inuse %d; the socket lines say %d, %d, %d",
					ss["TCP:tw"], ss["TCP:inuse"], ss["TCP6:inuse"], tw, inuse["tcp"], inuse["tcp6"])
			}
		})
	}
}

const (
	tcpHeader  = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
	tcp6Header = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
)

// checkTCPFormat checks one file and returns its timewait minisocks and its
// full sockets (what sockstat counts as tw and inuse).
func checkTCPFormat(t *testing.T, file, content string) (tw, full int) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(content, "\n"), "\n")
	header := tcp6Header
	if file == "tcp" {
		header = tcpHeader + strings.Repeat(" ", 149-len(tcpHeader))
	}
	if lines[0] != header {
		t.Errorf("%s: header %q", file, lines[0])
	}
	listening := true
	for i, line := range lines[1:] {
		f := strings.Fields(line)
		at := fmt.Sprintf("%s:%d", file, i+2)
		if (file == "tcp" && len(line) != 149) || (file == "tcp6" && strings.HasSuffix(line, " ")) {
			t.Errorf("%s: width %d", at, len(line))
		}
		if f[0] != fmt.Sprintf("%d:", i) {
			t.Errorf("%s: sl %s, want %d:", at, f[0], i)
		}
		st, tr, inode := f[3], f[5][:2], f[9]
		if st != "0A" {
			listening = false
		} else if !listening {
			t.Errorf("%s: a listener after other sockets", at)
		}
		switch {
		case st == "0C":
			t.Errorf("%s: st 0C is never printed", at)
		case tr == "03":
			tw++
			if (st != "06" && st != "05") || inode != "0" {
				t.Errorf("%s: a timewait minisock must be 06 or 05 with inode 0", at)
			}
		case st == "06":
			t.Errorf("%s: TIME_WAIT with tr %s, want 03", at, tr)
		case st == "03" && inode == "0":
			if tr != "01" || f[10] != "0" {
				t.Errorf("%s: a request sock has tr 01 and refcount 0", at)
			}
		default:
			full++
		}
	}
	return tw, full
}

// TestFixtureKeys: the healthy host has every sysctl the rules read (but
// tcp_tw_recycle, gone since 4.12), so no rule is skipped for want of a
// fixture file; the container host lacks exactly the global keys.
func TestFixtureKeys(t *testing.T) {
	const removed = "net.ipv4.tcp_tw_recycle"
	healthy, container := gather(t, "healthy"), gather(t, "container")
	for _, k := range rules.NewEngine().Keys() {
		if k == removed {
			continue
		}
		if _, ok := healthy.Sysctls[k]; !ok {
			t.Errorf("testdata/hosts/healthy lacks %s: add it to testdata/hosts/gen/sysctl.go", k)
		}
		if _, ok := container.Sysctls[k]; ok == rules.IsGlobalKey(k) {
			t.Errorf("container: %s present %v, but global %v (kernel-facts §12)", k, ok, rules.IsGlobalKey(k))
		}
	}
	if _, ok := gather(t, "old-kernel-tw-recycle").Sysctls[removed]; !ok {
		t.Errorf("old-kernel-tw-recycle lacks %s", removed)
	}
}

package rules_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// namesVa matches a finding title that lists the interface va.
var namesVa = regexp.MustCompile(`off on (.*[ ,])?va( |,|$)`)

// rpSendEnv makes the test binary, run in the peer namespace, send the
// spoofed datagrams of TestRPFilterKernelOracle instead of testing.
const rpSendEnv = "TCPAUDIT_RPF_SEND"

// TestRPFilterKernelOracle uses the kernel itself as the oracle of
// rp-filter-disabled: a peer namespace sends UDP from a source this
// namespace has no route back to, across a veth pair. For each
// (conf/all, conf/va) pair the kernel either drops the datagrams (TcpExt
// IPReversePathFilter grows) or lets them in, and the rule must name va
// exactly when the kernel let them in.
func TestRPFilterKernelOracle(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	peer := fmt.Sprintf("tcpaudit-rpf-%d", os.Getpid())
	run(t, "ip", "netns", "add", peer)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "delete", peer).Run() })
	run(t, "ip", "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", peer)
	run(t, "ip", "addr", "add", "10.77.0.1/24", "dev", "va")
	run(t, "ip", "link", "set", "va", "up")
	mac, err := os.ReadFile("/sys/class/net/va/address")
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"addr", "add", "10.77.0.2/24", "dev", "vb"},
		{"addr", "add", "10.88.0.2/32", "dev", "vb"},
		{"link", "set", "vb", "up"},
		{"neigh", "add", "10.77.0.1", "lladdr", strings.TrimSpace(string(mac)), "dev", "vb", "nud", "permanent"},
	} {
		run(t, "ip", append([]string{"-n", peer}, args...)...)
	}
	run(t, "sysctl", "-q", "-w", "net.ipv4.conf.default.rp_filter=1")
	cfg, err := profiles.Load("kubernetes-node") // accepts 1 and 2: fails on 0 only
	if err != nil {
		t.Fatal(err)
	}
	dropped := map[bool]int{}
	for _, c := range [][2]int{{0, 0}, {0, 1}, {1, 0}, {0, 2}, {2, 0}, {1, 2}} {
		run(t, "sysctl", "-q", "-w", fmt.Sprintf("net.ipv4.conf.all.rp_filter=%d", c[0]), fmt.Sprintf("net.ipv4.conf.va.rp_filter=%d", c[1]))
		before := rpFilterDrops(t)
		sendSpoofed(t, peer)
		drop := droppedSince(t, before)
		dropped[drop]++
		text := findingText(rules.NewEngine().Evaluate(gatherLive(t), cfg), "rp-filter-disabled")
		if named := namesVa.MatchString(text); named == drop {
			t.Errorf("all=%d va=%d: kernel dropped=%v, but the rule names va=%v: %q", c[0], c[1], drop, named, text)
		}
	}
	if dropped[true] == 0 || dropped[false] == 0 {
		t.Errorf("the kernel dropped in %d and accepted in %d cases: the oracle did not discriminate", dropped[true], dropped[false])
	}
}

// sendSpoofed runs this test binary in the peer namespace to send a few
// datagrams from 10.88.0.2, an address this namespace cannot route back to.
func sendSpoofed(t *testing.T, peer string) {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", peer, os.Args[0], "-test.run", "^TestRPFilterSender$", "-test.count=1")
	cmd.Env = append(os.Environ(), rpSendEnv+"=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sender: %v: %s", err, out)
	}
}

// droppedSince reports whether IPReversePathFilter grew past before,
// waiting up to half a second: the veth peer delivers in softirq context.
func droppedSince(t *testing.T, before int64) bool {
	t.Helper()
	for range 20 {
		if rpFilterDrops(t) > before {
			return true
		}
		time.Sleep(25 * time.Millisecond)
	}
	return false
}

// TestRPFilterSender is the sending half of TestRPFilterKernelOracle; run
// on its own it does nothing.
func TestRPFilterSender(t *testing.T) {
	if os.Getenv(rpSendEnv) == "" {
		t.Skip("helper of TestRPFilterKernelOracle")
	}
	c, err := net.DialUDP("udp4", &net.UDPAddr{IP: net.IPv4(10, 88, 0, 2)}, &net.UDPAddr{IP: net.IPv4(10, 77, 0, 1), Port: 9})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range 3 {
		if _, err := c.Write([]byte("rp_filter probe")); err != nil {
			t.Fatal(err)
		}
	}
}

// rpFilterDrops reads TcpExt IPReversePathFilter from /proc/net/netstat.
func rpFilterDrops(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/net/netstat")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || fields[0] != "TcpExt:" {
			continue
		}
		if names == nil {
			names = fields
			continue
		}
		for i, n := range names {
			if n == "IPReversePathFilter" && i < len(fields) {
				v, err := strconv.ParseInt(fields[i], 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
		}
	}
	t.Fatal("no TcpExt IPReversePathFilter in /proc/net/netstat")
	return 0
}

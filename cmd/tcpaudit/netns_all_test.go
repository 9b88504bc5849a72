package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// nsPlan is what each test namespace holds: sockgen's sockets (ESTABLISHED
// pairs, CLOSE_WAIT sockets with their FIN_WAIT2 peers, one listener).
const nsEstablished, nsCloseWait = 20, 120

// sockgenIn starts sockgen as one child in the namespace that argv enters
// (argv runs it: ip netns exec NS, or unshare --net), waits until its
// sockets exist, and returns its PID. It is killed when the test ends.
func sockgenIn(t *testing.T, sockgen string, argv ...string) int {
	t.Helper()
	args := append(argv, sockgen, "-child", "0", "-dsts", "4",
		"-established", strconv.Itoa(nsEstablished), "-close-wait", strconv.Itoa(nsCloseWait))
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ready := make(chan string, 1)
	go func() { line, _ := bufio.NewReader(out).ReadString('\n'); ready <- line }()
	select {
	case line := <-ready:
		if line != "ready\n" {
			t.Fatalf("%v: said %q, want ready", args, line)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%v: not ready after 30 s", args)
	}
	return cmd.Process.Pid
}

// buildSockgen builds cmd/sockgen into dir.
func buildSockgen(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "sockgen")
	if out, err := exec.Command("go", "build", "-o", bin, "../sockgen").CombinedOutput(); err != nil {
		t.Fatalf("go build sockgen: %v\n%s", err, out)
	}
	return bin
}

// ssStates counts the sockets of `ss -tan` run by argv (which enters the
// namespace) by kernel state name.
func ssStates(t *testing.T, argv ...string) map[string]int {
	t.Helper()
	out, err := exec.Command(argv[0], append(argv[1:], "ss", "-tan")...).Output()
	if err != nil {
		t.Fatalf("%v ss -tan: %v", argv, err)
	}
	names := map[string]string{"ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECV",
		"FIN-WAIT-1": "FIN_WAIT1", "FIN-WAIT-2": "FIN_WAIT2", "TIME-WAIT": "TIME_WAIT", "UNCONN": "CLOSE",
		"CLOSE-WAIT": "CLOSE_WAIT", "LAST-ACK": "LAST_ACK", "LISTEN": "LISTEN", "CLOSING": "CLOSING"}
	states := map[string]int{}
	for _, line := range strings.Split(string(out), "\n")[1:] {
		if f := strings.Fields(line); len(f) > 0 {
			states[names[f[0]]]++
		}
	}
	return states
}

// TestCheckNamespaces makes two network namespaces with sockets in them:
// one with ip netns add, its ephemeral range narrowed, and one with
// unshare --net, held only by its process (no bind mount), entered through
// its PID. check --all-netns, --netns NAME and --netns PID must count each
// namespace's sockets as ss does inside it, name the process that holds its
// CLOSE_WAIT sockets, and report the narrowed range in that namespace only.
func TestCheckNamespaces(t *testing.T) {
	named, namedPID, heldPID := sockgenNamespaces(t, func(ip, named string) {
		nsRun(t, ip, named, "sysctl", "-qw", "net.ipv4.ip_local_port_range=40000 40100")
	})
	enterHeld := []string{"nsenter", "--net=/proc/" + strconv.Itoa(heldPID) + "/ns/net"}
	oracles := map[int][]string{namedPID: {"ip", "netns", "exec", named}, heldPID: enterHeld}

	code, all := checkJSON(t, "--all-netns")
	if code != exitFindings {
		t.Errorf("check --all-netns: exit %d, want %d", code, exitFindings)
	}
	if len(all.Namespaces) < 3 || all.Namespaces[0].Kind != "host" {
		t.Fatalf("namespaces: %+v; want the host's first and at least 2 more", all.Namespaces)
	}
	byPID := map[int]jsonNamespace{}
	for _, ns := range all.Namespaces {
		for _, pid := range ns.PIDs {
			byPID[pid] = ns
		}
	}
	for pid, oracle := range oracles {
		ns, ok := byPID[pid]
		if !ok || ns.Sockets == nil {
			t.Fatalf("no audited namespace holds pid %d: %+v", pid, all.Namespaces)
		}
		if diff := cmp.Diff(nonZero(ssStates(t, oracle...)), nonZero(ns.Sockets.States)); diff != "" {
			t.Errorf("namespace %s: sockets differ from %v ss -tan (-ss +tcpaudit):\n%s", ns.Name, oracle, diff)
		}
		checkOwner(t, all, ns.ID, pid)
	}
	if ns := byPID[namedPID]; ns.Kind != "named" || ns.Name != named {
		t.Errorf("the ip netns namespace is %s %q, want named %q", ns.Kind, ns.Name, named)
	}
	if ns := byPID[heldPID]; ns.Kind != "process" || ns.Name != fmt.Sprintf("sockgen[%d]", heldPID) {
		t.Errorf("the unshared namespace is %s %q, want process sockgen[%d]", ns.Kind, ns.Name, heldPID)
	}
	var rangeIn []string // among the host's and the test's namespaces
	for _, f := range all.findings("ephemeral-port-range") {
		if f.Namespace == "" || f.Namespace == byPID[namedPID].ID || f.Namespace == byPID[heldPID].ID {
			rangeIn = append(rangeIn, f.Namespace)
		}
	}
	if want := []string{byPID[namedPID].ID}; !slices.Equal(rangeIn, want) {
		t.Errorf("ephemeral-port-range found in namespaces %q, want only %q (the narrowed one)", rangeIn, want)
	}

	for spec, pid := range map[string]int{named: namedPID, strconv.Itoa(heldPID): heldPID} {
		_, one := checkJSON(t, "--netns", spec, "--fail-on", "never", "--source", "proc")
		if len(one.Namespaces) != 1 || one.Namespaces[0].Sockets == nil {
			t.Fatalf("--netns %s: namespaces %+v, want one audited", spec, one.Namespaces)
		}
		ns := one.Namespaces[0]
		if diff := cmp.Diff(nonZero(ssStates(t, oracles[pid]...)), nonZero(ns.Sockets.States)); diff != "" {
			t.Errorf("--netns %s --source proc: sockets differ from ss -tan inside (-ss +tcpaudit):\n%s", spec, diff)
		}
		checkOwner(t, one, ns.ID, pid)
		if st := one.statuses()["ephemeral-port-range"].Status; (spec == named) != (st == "failed") {
			t.Errorf("--netns %s: ephemeral-port-range %s", spec, st)
		}
		if st := one.statuses()["orphan-pressure"]; st.Status == "skipped" {
			t.Errorf("--netns %s: orphan-pressure (a global key) is %+v, want judged with the host's value", spec, st)
		}
	}
}

// TestSocketsNamespaces: sockets --netns PID of a namespace held only by
// its process counts its sockets as ss does inside it and names that
// process as the holder of its CLOSE_WAIT sockets; sockets --all-netns
// has a section for it.
func TestSocketsNamespaces(t *testing.T) {
	netnsPrereqs(t)
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("needs unshare(1) from util-linux")
	}
	sockgen := buildSockgen(t, t.TempDir())
	pid := sockgenIn(t, sockgen, "unshare", "--net", "--", "sh", "-c", `ip link set lo up && exec "$0" "$@"`)
	code, out, stderr := runCLI(t, "sockets", "--netns", strconv.Itoa(pid), "--format", "json")
	if code != 0 {
		t.Fatalf("sockets --netns %d: exit %d: %s", pid, code, stderr)
	}
	var doc struct {
		Namespaces []struct {
			Kind string     `json:"kind"`
			View socketsDoc `json:"view"`
		} `json:"namespaces"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Namespaces) != 1 {
		t.Fatalf("sockets --netns: %v, %d namespaces\n%s", err, len(doc.Namespaces), out)
	}
	view := doc.Namespaces[0].View
	oracle := ssStates(t, "nsenter", "--net=/proc/"+strconv.Itoa(pid)+"/ns/net")
	if diff := cmp.Diff(nonZero(oracle), nonZero(view.States)); diff != "" {
		t.Errorf("sockets differ from ss -tan inside (-ss +tcpaudit):\n%s", diff)
	}
	if want, got := ssListenPorts(t, "nsenter", "--net=/proc/"+strconv.Itoa(pid)+"/ns/net"), listenPorts(view); len(want) == 0 || !slices.Equal(want, got) {
		t.Errorf("listener ports %v, ss -ltn inside %v", got, want)
	}
	if len(view.Processes) != 1 || view.Processes[0].PID != pid || view.Processes[0].Command != "sockgen" || view.Processes[0].States["CLOSE_WAIT"] != nsCloseWait {
		t.Errorf("processes %+v, want pid %d (sockgen) holding %d CLOSE_WAIT", view.Processes, pid, nsCloseWait)
	}
	code, text, stderr := runCLI(t, "sockets", "--all-netns", "--no-color")
	if want := fmt.Sprintf("== sockgen[%d] (process, net:[", pid); code != 0 || !strings.Contains(text, want) {
		t.Errorf("sockets --all-netns: exit %d, no section %q: %s\n%s", code, want, stderr, text)
	}
}

// ssListenPorts returns the sorted local ports `ss -Hltn` lists, run
// under argv (a command that enters a namespace).
func ssListenPorts(t *testing.T, argv ...string) []int {
	t.Helper()
	out, err := exec.Command(argv[0], append(argv[1:], "ss", "-Hltn")...).Output()
	if err != nil {
		t.Fatalf("%v ss -ltn: %v", argv, err)
	}
	var ports []int
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		if p, err := strconv.Atoi(f[3][strings.LastIndexByte(f[3], ':')+1:]); err == nil {
			ports = append(ports, p)
		}
	}
	slices.Sort(ports)
	return ports
}

// listenPorts returns the sorted listener ports of a sockets document.
func listenPorts(d socketsDoc) []int {
	var ports []int
	for _, l := range d.Listeners {
		ports = append(ports, l.Port)
	}
	slices.Sort(ports)
	return ports
}

// checkOwner checks that the CLOSE_WAIT finding of namespace id names
// process pid (sockgen) as the owner of every CLOSE_WAIT socket.
func checkOwner(t *testing.T, r jsonReport, id string, pid int) {
	t.Helper()
	for _, f := range r.findings("close-wait-accumulation") {
		if f.Namespace != id {
			continue
		}
		if len(f.Fix.Processes) != 1 || f.Fix.Processes[0].PID != pid || !strings.Contains(f.Observed, fmt.Sprintf("pid %d (sockgen) holds %d", pid, nsCloseWait)) {
			b, _ := json.Marshal(f)
			t.Errorf("namespace %s: CLOSE_WAIT owners are not pid %d (sockgen) holding %d: %s", id, pid, nsCloseWait, b)
		}
		return
	}
	t.Errorf("namespace %s: no close-wait-accumulation finding", id)
}

// TestNamespaceFlagsRefused: --all-netns and --netns enter namespaces of
// the live host, so they are refused (exit 2, saying why) together, with a
// snapshot, with another proc root, and for a name no namespace has.
func TestNamespaceFlagsRefused(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "--all-netns", "--netns", "x"}, "give one"},
		{[]string{"check", "--all-netns", "--snapshot", "x.tar.gz"}, "--snapshot"},
		{[]string{"check", "--netns", "1", "--proc-root", hostsDir + "/healthy"}, "not /proc"},
		{[]string{"sockets", "--all-netns", "--proc-root", hostsDir + "/healthy"}, "not /proc"},
		{[]string{"check", "--netns", "no-such-namespace-of-tcpaudit"}, "ip netns list"},
		{[]string{"check", "--netns", "0"}, "not a PID"},
	} {
		code, _, stderr := runCLI(t, tc.args...)
		if code != exitError || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d saying %q", tc.args, code, stderr, exitError, tc.want)
		}
	}
}

// sockgenNamespaces makes two namespaces with sockgen's sockets: one with
// ip netns add (set up by prepare, when not nil, before sockgen starts)
// and one with unshare --net, held only by its sockgen process. It returns
// the name of the first and the PIDs of both sockgens.
func sockgenNamespaces(t *testing.T, prepare func(ip, named string)) (string, int, int) {
	t.Helper()
	ip := netnsPrereqs(t)
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("needs unshare(1) from util-linux")
	}
	sockgen := buildSockgen(t, t.TempDir())
	named := nstest.New(t)
	if prepare != nil {
		prepare(ip, named)
	}
	namedPID := sockgenIn(t, sockgen, "ip", "netns", "exec", named)
	heldPID := sockgenIn(t, sockgen, "unshare", "--net", "--", "sh", "-c", `ip link set lo up && exec "$0" "$@"`)
	return named, namedPID, heldPID
}

// sleepInNewNetns starts sleep in a network namespace of its own (unshare
// --net), held by it alone, and waits until sleep runs in it; it is killed
// when the test ends, if the test has not.
func sleepInNewNetns(t *testing.T) *exec.Cmd {
	t.Helper()
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("needs unshare(1) from util-linux")
	}
	held := exec.Command("unshare", "--net", "--", "sleep", "120")
	if err := held.Start(); err != nil {
		t.Skipf("unshare: %v", err)
	}
	t.Cleanup(func() { held.Process.Kill(); held.Wait() })
	for i := 0; i < 500 && !isComm(held.Process.Pid, "sleep"); i++ { // until unshare has made the namespace
		time.Sleep(10 * time.Millisecond)
	}
	return held
}

// isComm reports whether the command of pid is comm.
func isComm(pid int, comm string) bool {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	return string(b) == comm+"\n"
}

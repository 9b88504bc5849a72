package main

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// noNetlinkEnv marks a test binary re-executed with netlink sockets denied.
const noNetlinkEnv = "TCPAUDIT_TEST_NO_NETLINK"

// denyNetlink installs a seccomp filter on every thread of this process
// that fails socket(AF_NETLINK, ...) with EACCES, as a sandbox that
// refuses netlink does. It cannot be undone: only re-executed children
// call it.
func denyNetlink() error {
	const (
		ldW   = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeqK  = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		retK  = unix.BPF_RET | unix.BPF_K
		errno = 0x00050000 // SECCOMP_RET_ERRNO
		allow = 0x7fff0000 // SECCOMP_RET_ALLOW
	)
	filter := []unix.SockFilter{
		{Code: ldW, K: 4}, // seccomp_data.arch
		{Code: jeqK, Jt: 0, Jf: 5, K: unix.AUDIT_ARCH_X86_64},
		{Code: ldW, K: 0}, // seccomp_data.nr
		{Code: jeqK, Jt: 0, Jf: 3, K: unix.SYS_SOCKET},
		{Code: ldW, K: 16}, // low half of args[0] (little-endian)
		{Code: jeqK, Jt: 0, Jf: 1, K: unix.AF_NETLINK},
		{Code: retK, K: errno | uint32(unix.EACCES)},
		{Code: retK, K: allow},
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return err
	}
	_, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER,
		unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&prog)))
	if e != 0 {
		return e
	}
	return nil
}

// TestSocketsFallsBackWithoutNetlink runs sockets in a child whose netlink
// sockets are refused: auto must fall back to /proc and say so, and an
// explicit --source netlink must fail with exit code 2.
func TestSocketsFallsBackWithoutNetlink(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the seccomp filter of this test is written for amd64")
	}
	if os.Getenv(noNetlinkEnv) == "" {
		cmd := exec.Command(os.Args[0], "-test.run", "^"+t.Name()+"$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), noNetlinkEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	if err := denyNetlink(); err != nil {
		t.Skipf("cannot install a seccomp filter: %v", err)
	}
	if _, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW, unix.NETLINK_SOCK_DIAG); err != unix.EACCES {
		t.Fatalf("netlink socket after the filter: %v, want EACCES", err)
	}
	doc := runSocketsJSON(t)
	if doc.Source != "proc" || len(doc.Notes) == 0 || !strings.Contains(doc.Notes[0], "netlink was refused") {
		t.Errorf("source %q, notes %q: want proc and a note that netlink was refused", doc.Source, doc.Notes)
	}
	if code, _, _ := runCLI(t, "sockets", "--source", "netlink"); code != exitError {
		t.Errorf("--source netlink without netlink: exit %d, want %d", code, exitError)
	}
	code, out, stderr := runCLI(t, "check", "--format", "json", "--fail-on", "never")
	if code != exitOK {
		t.Fatalf("check: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "netlink was refused") {
		t.Errorf("check report does not say that netlink was refused:\n%s", out)
	}
	r := parseReport(t, []byte(out))
	read := r.readSources()
	if ok, tried := read["netlink"]; !tried || ok || !read["net/tcp"] {
		t.Errorf("check sources %+v: want netlink not ok and net/tcp read", r.Sources)
	}
}

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/sockgen"
)

// runOutside creates the namespace, sets its sysctls and runs the parent
// inside it; the namespace is deleted when that parent exits.
func runOutside(ctx context.Context, o options, args []string, stdout, stderr io.Writer) error {
	if out, err := exec.Command("ip", "netns", "add", o.netns).CombinedOutput(); err != nil {
		return fmt.Errorf("ip netns add %s: %v: %s", o.netns, err, out)
	}
	defer exec.Command("ip", "netns", "delete", o.netns).Run()
	setup := [][]string{
		{"ip", "link", "set", "lo", "up"},
		{"sysctl", "-qw", "net.ipv4.tcp_tw_reuse=0"},
		{"sysctl", "-qw", "net.ipv4.tcp_max_tw_buckets=" + strconv.Itoa(2*o.timeWait+1024)},
		{"sysctl", "-qw", "net.core.somaxconn=65535"},
	}
	for _, c := range setup {
		cmd := append([]string{"netns", "exec", o.netns}, c...)
		if out, err := exec.Command("ip", cmd...).CombinedOutput(); err != nil {
			return fmt.Errorf("ip %v: %v: %s", cmd, err, out)
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", o.netns, self, "-inside"}, args...)...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	if err := cmd.Run(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("inside %s: %w", o.netns, err)
	}
	return nil
}

// runInside starts the children, waits until each reports its sockets
// made, writes the ready file and holds until ctx ends.
func runInside(ctx context.Context, o options, stdout io.Writer) error {
	parts := sockgen.Split(sockgen.Plan{Established: o.established, TimeWait: o.timeWait, CloseWait: o.closeWait}, o.children)
	start := time.Now()
	children, ready, err := startChildren(o, parts)
	defer func() {
		for _, c := range children {
			c.Process.Kill()
			c.Wait()
		}
	}()
	if err != nil {
		return err
	}
	for i, r := range ready {
		if line, err := r.ReadString('\n'); err != nil || line != "ready\n" {
			return fmt.Errorf("child %d failed before it was ready (%q, %v)", i, line, err)
		}
	}
	msg := fmt.Sprintf("established=%d time_wait=%d close_wait=%d fin_wait2=%d listen=%d children=%d seconds=%.1f\n",
		o.established+o.established%2, o.timeWait, o.closeWait, o.closeWait, len(parts), len(parts), time.Since(start).Seconds())
	fmt.Fprint(stdout, msg)
	if o.ready != "" {
		if err := writeFile(o.ready, msg); err != nil {
			return err
		}
	}
	<-ctx.Done()
	return nil
}

// startChildren starts one child per part of the plan; each gets
// destinations out of o.dsts and says "ready" on its stdout when done.
// The children die with this process (SIGKILL on parent death).
func startChildren(o options, parts []sockgen.Plan) ([]*exec.Cmd, []*bufio.Reader, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, nil, err
	}
	var children []*exec.Cmd
	var ready []*bufio.Reader
	for i, p := range parts {
		c := exec.Command(self, "-child", strconv.Itoa(i), "-dsts", strconv.Itoa(max(1, o.dsts/len(parts))),
			"-established", strconv.Itoa(p.Established), "-time-wait", strconv.Itoa(p.TimeWait),
			"-close-wait", strconv.Itoa(p.CloseWait))
		c.Stderr = os.Stderr
		c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		out, err := c.StdoutPipe()
		if err != nil {
			return children, nil, err
		}
		if err := c.Start(); err != nil {
			return children, nil, fmt.Errorf("start child %d: %w", i, err)
		}
		children = append(children, c)
		ready = append(ready, bufio.NewReader(out))
	}
	return children, ready, nil
}

// runChild makes its share of the sockets, says "ready" and holds them.
func runChild(ctx context.Context, o options, stdout io.Writer) error {
	ports, dsts := sockgen.ChildAddrs(o.child, o.dsts)
	g, err := sockgen.New(ports, dsts)
	if err != nil {
		return err
	}
	defer g.Close()
	if err := g.Make(sockgen.Plan{Established: o.established, TimeWait: o.timeWait, CloseWait: o.closeWait}); err != nil {
		return fmt.Errorf("child %d: %w", o.child, err)
	}
	fmt.Fprintln(stdout, "ready")
	<-ctx.Done()
	return nil
}

// writeFile writes a file through a temporary file and a rename.
func writeFile(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".sockgen-*")
	if err != nil {
		return err
	}
	_, werr := tmp.WriteString(content)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Command churn is the connection-churn load of bench/watch.sh: a
// loopback server and a client that connects and closes (client first,
// so its side goes to TIME_WAIT) as fast as it can, or at a fixed rate,
// for at most 10 s, then prints the cycles per second.
//
//	churn [-duration 10s] [-rate CYCLES_PER_S] [-addrs 16]
//
// It spreads the connections over -addrs loopback addresses (127.0.0.1,
// 127.0.0.2, ...) so that TIME_WAIT does not use up the ephemeral ports
// toward one destination. Run it in a network namespace made for it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// maxDuration bounds every run.
const maxDuration = 10 * time.Second

func main() {
	d := flag.Duration("duration", maxDuration, "how long to churn (at most 10s)")
	rate := flag.Int("rate", 0, "connect/close cycles per second (0: as fast as possible)")
	addrs := flag.Int("addrs", 16, "loopback addresses to spread the connections over (1-254)")
	flag.Parse()
	if err := run(min(*d, maxDuration), *rate, *addrs); err != nil {
		fmt.Fprintln(os.Stderr, "churn:", err)
		os.Exit(1)
	}
}

func run(d time.Duration, rate, addrs int) error {
	if addrs < 1 || addrs > 254 {
		return errors.New("-addrs: want 1 to 254")
	}
	ln, err := net.Listen("tcp4", "0.0.0.0:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	go serve(ln)
	port := ln.Addr().(*net.TCPAddr).Port
	var period time.Duration
	if rate > 0 {
		period = time.Second / time.Duration(rate)
	}
	start := time.Now()
	n := 0
	for time.Since(start) < d {
		addr := fmt.Sprintf("127.0.0.%d:%d", 1+n%addrs, port)
		c, err := net.Dial("tcp4", addr)
		if err != nil {
			return fmt.Errorf("after %d cycles: %w", n, err)
		}
		c.Close()
		n++
		if period > 0 {
			if ahead := time.Duration(n)*period - time.Since(start); ahead > 0 {
				time.Sleep(ahead)
			}
		}
	}
	el := time.Since(start)
	fmt.Printf("cycles %d elapsed_s %.3f cycles_per_s %.0f\n", n, el.Seconds(), float64(n)/el.Seconds())
	return nil
}

// serve closes each connection once the client has closed its end.
func serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			_, _ = io.Copy(io.Discard, c)
			c.Close()
		}()
	}
}

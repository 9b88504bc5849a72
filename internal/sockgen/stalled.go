package sockgen

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// stalledClose makes n connections whose writer fills the connection (the
// reader never reads) and then closes: the kernel moves the writer to
// FIN_WAIT1 (or LAST_ACK when serverSide, after the client half-closed)
// but cannot send the FIN while data is queued, so the state lasts. The
// reader keeps its descriptor.
func (g *Generator) stalledClose(n int, serverSide bool) error {
	for range n {
		c, s, err := g.Pair()
		if err != nil {
			return err
		}
		writer, reader := c, s
		if serverSide {
			writer, reader = s, c
			if err := unix.Shutdown(c, unix.SHUT_WR); err != nil {
				unix.Close(c)
				unix.Close(s)
				return fmt.Errorf("sockgen: shutdown: %w", err)
			}
			if err := settle([]int{c}, finWait2); err != nil {
				return err
			}
		}
		g.Held = append(g.Held, reader)
		if err := fill(writer); err != nil {
			unix.Close(writer)
			return err
		}
		unix.Close(writer)
	}
	return nil
}

// fill writes to a non-blocking socket until the kernel takes no more.
func fill(fd int) error {
	if err := unix.SetNonblock(fd, true); err != nil {
		return fmt.Errorf("sockgen: non-blocking: %w", err)
	}
	buf := make([]byte, 64*1024)
	for i := 0; i < 4096; i++ { // at most 256 MiB: bounded
		_, err := unix.Write(fd, buf)
		if err == unix.EAGAIN {
			return nil
		}
		if err != nil && err != unix.EINTR {
			return fmt.Errorf("sockgen: fill send queue: %w", err)
		}
	}
	return fmt.Errorf("sockgen: send queue still not full after 256 MiB")
}

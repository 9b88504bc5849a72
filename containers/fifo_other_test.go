//go:build !unix

package containers

import "errors"

func mkfifo(string) error { return errors.New("no FIFOs on this system") }

package audit

import (
	"errors"
	"fmt"
)

// ErrMalformed marks input that does not have the format the kernel writes.
var ErrMalformed = errors.New("malformed input")

// ParseError names the file and line of malformed input.
type ParseError struct {
	File string
	Line int // 0 when the error is not tied to a line
	Err  error
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

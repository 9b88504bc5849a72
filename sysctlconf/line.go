package sysctlconf

import (
	"bufio"
	"errors"
	"io"
)

var errLongLine = errors.New("line too long")

// lineReader splits lines as systemd's read_line() does: a line ends at
// '\n', '\r' or '\0', and one line end takes at most one of each kind, so
// "\r\n" and "\n\r" end one line while "\n\n" ends two.
type lineReader struct {
	r      *bufio.Reader
	line   int
	loneCR bool
	crLine int
	buf    []byte
}

func (l *lineReader) next() (string, error) {
	buf := l.buf[:0]
	defer func() { l.buf = buf[:0] }()
	for {
		c, err := l.r.ReadByte()
		if errors.Is(err, io.EOF) {
			if len(buf) == 0 {
				return "", io.EOF
			}
			l.line++
			return string(buf), nil
		}
		if err != nil {
			return "", err
		}
		if isEOL(c) {
			l.line++
			return string(buf), l.endLine(c)
		}
		if len(buf) >= MaxLine {
			return "", errLongLine
		}
		buf = append(buf, c)
	}
}

// endLine consumes the rest of a line end that started with c.
func (l *lineReader) endLine(c byte) error {
	seen := eolBit(c)
	for {
		b, err := l.r.Peek(1)
		if errors.Is(err, io.EOF) || (err == nil && (!isEOL(b[0]) || seen&eolBit(b[0]) != 0)) {
			break
		}
		if err != nil {
			return err
		}
		seen |= eolBit(b[0])
		if _, err := l.r.ReadByte(); err != nil {
			return err
		}
	}
	if seen&eolBit('\r') != 0 && seen&eolBit('\n') == 0 && !l.loneCR {
		l.loneCR, l.crLine = true, l.line
	}
	return nil
}

func eolBit(c byte) uint8 {
	switch c {
	case '\n':
		return 1
	case '\r':
		return 2
	}
	return 4
}

func isEOL(c byte) bool { return c == '\n' || c == '\r' || c == 0 }

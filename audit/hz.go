package audit

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// ParseHZ returns CONFIG_HZ from a kernel configuration (the text of
// /proc/config.gz or /boot/config-RELEASE), 0 when it has none or a value
// that is not a positive number.
func ParseHZ(r io.Reader) int {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "CONFIG_HZ=")
		if !ok {
			continue
		}
		hz, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || hz <= 0 {
			return 0
		}
		return hz
	}
	return 0
}

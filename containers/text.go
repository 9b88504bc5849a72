package containers

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// validID reports whether s is a container ID: 64 lower-case hexadecimal
// digits.
func validID(s string) bool {
	return len(s) == 64 && strings.Trim(s, "0123456789abcdef") == ""
}

// validUID reports whether s is a pod UID: a UUID in lower case, or the
// 32 hexadecimal digits the kubelet derives for a static pod.
func validUID(s string) bool {
	if len(s) == 32 {
		return strings.Trim(s, "0123456789abcdef") == ""
	}
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		dash := i == 8 || i == 13 || i == 18 || i == 23
		if dash != (r == '-') || !dash && !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}

// validName reports whether s can be shown as a container's, machine's or
// pod's name: 1 to 253 characters of letters, digits and _ . - @ : +, so
// that no control character, space or path separator reaches a report.
func validName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool {
		return r >= utf8.RuneSelf || !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("_.-@:+", r))
	}) < 0
}

// validLabel reports whether s is a DNS label or subdomain as Kubernetes
// names namespaces and pods: lower-case letters, digits, '-' and '.',
// starting and ending with a letter or digit, at most 253 characters.
func validLabel(s string) bool {
	if s == "" || len(s) > 253 || strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-.") != "" {
		return false
	}
	return !strings.ContainsAny(s[:1]+s[len(s)-1:], "-.")
}

// unescapeUnit undoes systemd's escaping of a unit name: \xNN stands for
// the byte NN (systemd-escape writes '-' as \x2d). A malformed escape is
// kept as it is, and validName then refuses the result.
func unescapeUnit(s string) string {
	if !strings.Contains(s, `\x`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			if n, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// printable returns s, or s quoted as a Go string (with \x escapes) when it
// holds a control character, a non-printable rune or bytes that are not
// UTF-8: a process name is set by the process and may hold anything.
func printable(s string) string {
	if utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0 {
		return s
	}
	return strconv.QuoteToASCII(s)
}

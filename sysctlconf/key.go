package sysctlconf

import "strings"

// Normalize returns the identity of a key as systemd-sysctl computes it: the
// path under /proc/sys with '/' separators. When the first separator is a
// '.', every '.' becomes '/' and every '/' becomes '.' (so
// net.ipv4.conf.eth0/1.rp_filter is net/ipv4/conf/eth0.1/rp_filter); then
// repeated, leading and trailing separators and "." components are dropped.
func Normalize(key string) string {
	b := []byte(key)
	if i := strings.IndexAny(key, "./"); i >= 0 && key[i] == '.' {
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '.':
				b[j] = '/'
			case '/':
				b[j] = '.'
			}
		}
	}
	parts := strings.Split(string(b), "/")
	kept := parts[:0]
	for _, p := range parts {
		if p != "" && p != "." {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "/")
}

// Canonical returns a key as `sysctl -a` prints it: the normalized path with
// '/' and '.' swapped (net.ipv4.conf.eth0/1.rp_filter).
func Canonical(key string) string {
	return swap(Normalize(key))
}

// Path returns the slash path of a canonical or written key, relative to
// /proc/sys.
func Path(key string) string { return Normalize(key) }

func swap(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '.':
			return '/'
		case '/':
			return '.'
		}
		return r
	}, s)
}

// IsGlob reports whether a key is a glob pattern (contains '*', '?' or '['),
// as both systemd-sysctl and procps decide.
func IsGlob(key string) bool { return strings.ContainsAny(key, "*?[") }

// Match reports whether the glob pattern (a written or canonical key) matches
// the concrete key the way glob(3) expands it under /proc/sys: wildcards do
// not cross a separator and a leading '.' in a component must be matched
// explicitly.
func Match(pattern, key string) bool {
	pp := strings.Split(Normalize(pattern), "/")
	kp := strings.Split(Normalize(key), "/")
	if len(pp) != len(kp) {
		return false
	}
	for i := range pp {
		if !matchComponent(pp[i], kp[i]) {
			return false
		}
	}
	return true
}

// suspiciousInterfaceKey reports a dotted per-interface key with more
// components than net.ipv4.conf.IFACE.NAME has: an interface name with a dot
// (eth0.1) that should have been written eth0/1.
func suspiciousInterfaceKey(written string) bool {
	if i := strings.IndexAny(written, "./"); i < 0 || written[i] != '.' {
		return false
	}
	parts := strings.Split(Normalize(written), "/")
	if len(parts) <= 5 || parts[0] != "net" {
		return false
	}
	return (parts[1] == "ipv4" || parts[1] == "ipv6") && (parts[2] == "conf" || parts[2] == "neigh")
}

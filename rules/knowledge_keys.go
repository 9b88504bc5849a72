package rules

import (
	"strings"

	"github.com/tcpaudit/tcpaudit/sysctl"
)

// KeyInfo is what `explain` teaches about one sysctl: a row of package
// sysctl's table in the words explain shows, with the corrections.
type KeyInfo struct {
	Key, Type, Default string
	Min, Max           string
	// PerNetns is "yes" for keys each network namespace has, "no" for
	// global keys, "n/a" for removed ones, with the table's note in
	// parentheses.
	PerNetns string
	// History is the kernel history and notes on the value, "-" when the
	// table has none.
	History string
	Meaning string
	// Source cites the kernel source and documentation.
	Source string
	// Corrections state the truth against common misconceptions.
	Corrections []string
}

// Global reports whether the key exists only in the initial network
// namespace. It forwards to package sysctl.
func (k KeyInfo) Global() bool { return IsGlobalKey(k.Key) }

// Keys returns the knowledge of every documented sysctl, by key. It
// forwards to package sysctl (sysctl.All, documented keys only).
func Keys() []KeyInfo {
	var out []KeyInfo
	for _, k := range sysctl.All() {
		if k.Documented() {
			out = append(out, keyInfo(k))
		}
	}
	return out
}

// keyInfo presents a documented row of the table.
func keyInfo(k sysctl.Key) KeyInfo {
	info := KeyInfo{Key: k.Name, Type: k.Type, Default: k.Default, Min: k.Min, Max: k.Max,
		PerNetns: perNetns(k), History: k.History, Meaning: k.Meaning, Source: k.Source,
		Corrections: corrections(k.Name)}
	if info.History == "" {
		info.History = "-"
	}
	return info
}

// perNetns writes a key's scope as explain reads it.
func perNetns(k sysctl.Key) string {
	s := "yes"
	switch k.Scope {
	case sysctl.ScopeGlobal, sysctl.ScopeGlobalReadOnly:
		s = "no"
	case sysctl.ScopeRemoved:
		s = "n/a"
	}
	if k.ScopeNote != "" {
		s += " (" + k.ScopeNote + ")"
	}
	return s
}

// LookupKey finds a documented key written dotted, with slashes, without
// its prefix (tcp_fin_timeout) or for one interface
// (net.ipv4.conf.eth0.rp_filter is documented under conf.all). It forwards
// to package sysctl, which looks up dotted keys only.
func LookupKey(name string) (KeyInfo, bool) {
	name = strings.TrimSpace(name)
	if !strings.Contains(name, ".") || strings.HasPrefix(name, "net/") {
		name = strings.ReplaceAll(name, "/", ".")
	}
	if k, ok := sysctl.Lookup(name); ok && k.Documented() {
		return keyInfo(k), true
	}
	if fam, rest, ok := confParts(name); ok && name != "net."+fam+".conf.all."+rest {
		return LookupKey("net." + fam + ".conf.all." + rest)
	}
	var match []KeyInfo
	for _, k := range Keys() {
		if strings.HasSuffix(k.Key, "."+name) {
			match = append(match, k)
		}
	}
	for _, k := range match {
		if len(match) == 1 || strings.Contains(k.Key, ".conf.all.") {
			return k, true
		}
	}
	return KeyInfo{}, false
}

// confParts splits net.<family>.conf.<device>.<setting>; the device may
// itself contain dots.
func confParts(key string) (family, setting string, ok bool) {
	for _, fam := range []string{"ipv4", "ipv6"} {
		rest, found := strings.CutPrefix(key, "net."+fam+".conf.")
		if !found {
			continue
		}
		if i := strings.LastIndex(rest, "."); i > 0 {
			return fam, rest[i+1:], true
		}
	}
	return "", "", false
}

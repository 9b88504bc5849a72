package rules

import (
	_ "embed"
	"sort"
	"strings"
)

// knowledgeTSV is the sysctl ground truth (key, type, default, bounds,
// namespace scope, history, meaning, kernel source), one key a line.
//
//go:embed knowledge_keys.tsv
var knowledgeTSV string

// KeyInfo is what `explain` teaches about one sysctl.
type KeyInfo struct {
	Key, Type, Default string
	Min, Max           string
	// PerNetns is "yes" for keys each network namespace has, "no" for
	// global keys, with the TSV's note.
	PerNetns string
	// History is the kernel history and notes on the value.
	History string
	Meaning string
	// Source cites the kernel source and documentation.
	Source string
	// Corrections state the truth against common misconceptions.
	Corrections []string
}

// Global reports whether the key exists only in the initial network
// namespace.
func (k KeyInfo) Global() bool { return strings.HasPrefix(k.PerNetns, "no") }

// Keys returns the knowledge of every documented sysctl, by key.
func Keys() []KeyInfo {
	var out []KeyInfo
	for i, line := range strings.Split(strings.TrimSpace(knowledgeTSV), "\n") {
		f := strings.Split(line, "\t")
		if i == 0 || len(f) != 9 {
			continue
		}
		k := KeyInfo{Key: f[0], Type: f[1], Default: f[2], Min: f[3], Max: f[4], PerNetns: f[5],
			History: f[6], Meaning: f[7], Source: f[8]}
		k.Corrections = corrections(k.Key)
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// LookupKey finds a key written dotted, with slashes, without its prefix
// (tcp_fin_timeout) or for one interface (net.ipv4.conf.eth0.rp_filter is
// documented under conf.all).
func LookupKey(name string) (KeyInfo, bool) {
	name = strings.TrimSpace(name)
	if !strings.Contains(name, ".") || strings.HasPrefix(name, "net/") {
		name = strings.ReplaceAll(name, "/", ".")
	}
	keys := Keys()
	for _, k := range keys {
		if k.Key == name {
			return k, true
		}
	}
	if fam, rest, ok := confParts(name); ok && name != "net."+fam+".conf.all."+rest {
		return LookupKey("net." + fam + ".conf.all." + rest)
	}
	var match []KeyInfo
	for _, k := range keys {
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

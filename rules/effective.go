package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
)

// combine says how the kernel merges conf/all with an interface's own value
// (docs/kernel-facts.md §13).
type combine int

const (
	// combineMax: max(all, if), IPv4 rp_filter.
	combineMax combine = iota + 1
	// combineOr: all || if, IPv4 log_martians, send_redirects,
	// secure_redirects.
	combineOr
	// combineAnd: all && if, IPv4 accept_source_route.
	combineAnd
	// combineRedirects: AND on a forwarding interface, OR otherwise, IPv4
	// accept_redirects.
	combineRedirects
	// combineMin: min(all, if), IPv6 accept_source_route
	// (net/ipv6/exthdrs.c ipv6_rthdr_rcv).
	combineMin
	// combineRedirects6: the interface's value alone, and only while the
	// interface does not forward, IPv6 accept_redirects (net/ipv6/route.c
	// rt6_do_redirect returns early on cnf.forwarding).
	combineRedirects6
	// combineRA: the interface alone: any non-zero accept_ra accepts RAs
	// while the interface does not forward, only 2 while it does
	// (include/net/ipv6.h ipv6_accept_ra; the value is not bounded).
	combineRA
)

// newInterfaces names the row that stands for interfaces created later:
// they start from conf/default.
const newInterfaces = "new interfaces (conf/default)"

// confValue is one interface's effective value and how it was derived.
type confValue struct {
	Device string
	Value  int64
	How    string
}

// confKey is the dotted sysctl key of a conf entry. Dots in an interface
// name become slashes, as sysctl.d spells them (net.ipv4.conf.eth0/100.rp_filter).
func confKey(family, device, setting string) string {
	return fmt.Sprintf("net.%s.conf.%s.%s", family, strings.ReplaceAll(device, ".", "/"), setting)
}

// effectiveValues evaluates a setting on every interface but loopback (it
// carries only the host's own packets) and for new interfaces. Entries whose
// value cannot be read are left out.
func effectiveValues(f *audit.Facts, family, setting string, how combine) []confValue {
	c := f.Conf.Family(family)
	if c == nil && !f.Conf.Read {
		c = confFromSysctls(f, family, setting)
	}
	if c == nil {
		return nil
	}
	all, allOK := confInt(c.All, setting)
	var out []confValue
	for _, name := range c.Names() {
		if name == "lo" {
			continue
		}
		if v, ok := effectiveOne(c.Devices[name], all, allOK, name, setting, how); ok {
			out = append(out, v)
		}
	}
	if v, ok := effectiveOne(c.Default, all, allOK, "default", setting, how); ok {
		v.Device = newInterfaces
		out = append(out, v)
	}
	return out
}

func effectiveOne(dev audit.DeviceConf, all int64, allOK bool, name, setting string, how combine) (confValue, bool) {
	own, ok := confInt(dev, setting)
	if !ok {
		return confValue{}, false
	}
	fwd, _ := confInt(dev, "forwarding")
	v := confValue{Device: name}
	switch how {
	case combineRedirects6:
		v.Value = b2i(own != 0 && fwd == 0)
		v.How = fmt.Sprintf("%s accept_redirects %d, forwarding %d: redirects %s (conf/all is not read)", name, own, fwd, map[int64]string{0: "ignored", 1: "accepted"}[v.Value])
		return v, true
	case combineRA:
		v.Value = b2i(own == 2 || (own != 0 && fwd == 0))
		v.How = fmt.Sprintf("%s accept_ra %d, forwarding %d: RAs %s", name, own, fwd, map[int64]string{0: "ignored", 1: "accepted"}[v.Value])
		return v, true
	}
	if !allOK {
		return confValue{}, false
	}
	op := how
	if how == combineRedirects {
		op = combineOr
		if fwd != 0 {
			op = combineAnd
		}
	}
	v.Value = apply(op, all, own)
	v.How = fmt.Sprintf("%s(all %d, %s %d) = %d", opName(op), all, name, own, v.Value)
	return v, true
}

func apply(op combine, all, own int64) int64 {
	switch op {
	case combineMax:
		return max(all, own)
	case combineMin:
		return min(all, own)
	case combineOr:
		return b2i(all != 0 || own != 0)
	}
	return b2i(all != 0 && own != 0)
}

func opName(op combine) string {
	return map[combine]string{combineMax: "max", combineMin: "min", combineOr: "or", combineAnd: "and"}[op]
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func confInt(d audit.DeviceConf, setting string) (int64, bool) {
	s, ok := d[setting]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n, err == nil
}

// confFromSysctls builds conf/all and conf/default from plain sysctl
// values, for facts that did not come from a conf tree (a configuration
// file linted on its own): only new interfaces can be judged then.
func confFromSysctls(f *audit.Facts, family, setting string) *audit.FamilyConf {
	all, okAll := f.Sysctl(confKey(family, audit.ConfAll, setting))
	def, okDef := f.Sysctl(confKey(family, audit.ConfDefault, setting))
	if !okAll || !okDef {
		return nil
	}
	return &audit.FamilyConf{
		All:     audit.DeviceConf{setting: all},
		Default: audit.DeviceConf{setting: def},
	}
}

// isIPv6Conf reports whether a key is an IPv6 per-interface setting.
func isIPv6Conf(key string) bool { return strings.HasPrefix(key, "net.ipv6.conf.") }

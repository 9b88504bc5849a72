package watch

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/netns"
)

// Watched is a namespace chosen to be watched: its ID ("net:[INODE]", or
// "host") and who it is (its ip netns name, container or pod).
type Watched struct {
	ID string `json:"id"`
	netns.Identity
}

// MaxTWBucketsKey is the limit of TIME_WAIT entries of a namespace.
const MaxTWBucketsKey = "net.ipv4.tcp_max_tw_buckets"

// FinTimeoutKey is how long an orphaned FIN_WAIT2 socket waits for the
// peer's FIN.
const FinTimeoutKey = "net.ipv4.tcp_fin_timeout"

// Keys are the sysctls of one network namespace that its TIME_WAIT
// projections and the tw-bucket rule are judged by. Both keys are per
// namespace (docs/kernel-facts.md §37): they are read inside the
// namespace the connections were made in, never the host's for another's.
type Keys struct {
	// ID names the namespace in findings (rules.Finding.Namespace): "" for
	// the host's, and for the caller's own when no namespace was chosen.
	ID string `json:"id,omitempty"`
	// Name is the namespace for people (its ip netns name, container or
	// pod) when it has one.
	Name string `json:"name,omitempty"`
	// PortRange is net.ipv4.ip_local_port_range, MaxTWBuckets
	// net.ipv4.tcp_max_tw_buckets (0 when unknown: no tw-bucket finding).
	PortRange    PortRange `json:"port_range"`
	MaxTWBuckets int       `json:"tcp_max_tw_buckets,omitempty"`
	// FinTimeout is net.ipv4.tcp_fin_timeout in seconds (0 when unknown:
	// the kernel's default, 60 s, is assumed).
	FinTimeout int `json:"tcp_fin_timeout,omitempty"`
	// Unread says why the keys could not be read; the namespace's
	// projections then have no share of a range and no finding.
	Unread string `json:"unread,omitempty"`
}

// ReadKeys reads the keys of the namespace fsys shows: on the live host,
// /proc read by a thread inside the namespace (its /proc/sys/net follows
// the thread). An unreadable tcp_max_tw_buckets leaves it 0.
func ReadKeys(fsys audit.FS) (Keys, error) {
	low, high, err := fsys.PortRange()
	if err != nil {
		return Keys{}, err
	}
	k := Keys{PortRange: PortRange{Low: int(low), High: int(high)}}
	if v, err := fsys.Sysctl(MaxTWBucketsKey); err == nil {
		k.MaxTWBuckets, _ = strconv.Atoi(strings.TrimSpace(v))
	}
	if v, err := fsys.Sysctl(FinTimeoutKey); err == nil {
		k.FinTimeout, _ = strconv.Atoi(strings.TrimSpace(v))
	}
	return k, nil
}

// NamespaceRates is one namespace in a report: the keys it was judged by
// and the TIME_WAIT entries created in it.
type NamespaceRates struct {
	Inode uint32 `json:"inode"`
	Keys
	TimeWaitCreated Rate `json:"time_wait_created"`
}

// keysOf returns the keys of the namespace with inode ns, saying why
// they are unknown when the options have none.
func (o Options) keysOf(ns uint32) Keys {
	if k, ok := o.Namespaces[ns]; ok {
		return k
	}
	return Keys{ID: fmt.Sprintf("net:[%d]", ns), Unread: "not found when watch read the namespaces' sysctls"}
}

// namespaceRates lists the namespaces of the options and those TIME_WAIT
// entries were created or orphans handed over in, by inode, with what
// each created. Sampled, the
// one namespace watched has the report's estimate.
func namespaceRates(first, last Reading, o Options, rate func(uint64) Rate) []NamespaceRates {
	sums := map[uint32]uint64{}
	for ns := range o.Namespaces {
		sums[ns] = 0
	}
	for c := range last.Orphans { // listed, with their keys or why not
		sums[c.Netns] += 0
	}
	if last.TimeWaitByNetns != nil { // exact: see Reading.TimeWaitByNetns
		for ns := range last.TimeWaitByNetns {
			sums[ns] += delta(last.TimeWaitByNetns, first.TimeWaitByNetns, ns)
		}
	} else {
		for c := range last.TimeWait {
			sums[c.Netns] += delta(last.TimeWait, first.TimeWait, c)
		}
	}
	out := []NamespaceRates{}
	for _, ns := range sortedKeys(sums, cmp.Compare[uint32]) {
		out = append(out, NamespaceRates{Inode: ns, Keys: o.keysOf(ns), TimeWaitCreated: rate(sums[ns])})
	}
	return out
}

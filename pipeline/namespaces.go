package pipeline

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/sysctl"
)

// NamespaceAudit is the audit of one network namespace.
type NamespaceAudit struct {
	Namespace netns.Namespace
	// Audit is nil when the namespace was skipped. Its Facts are nil but
	// for the host's namespace: the facts of the others are released once
	// judged, so that memory does not grow with them (about 60 KB each;
	// the result is about 8 KB). Audit one namespace alone (Run inside
	// netns.Do) to keep its facts.
	Audit *Audit
	// Skipped says why the namespace was not audited; "" when it was.
	Skipped string
	// Census says where its socket census came from (CensusOf).
	Census string
}

// RunNamespaces audits each namespace of nss, up to GOMAXPROCS at a time,
// and returns their audits in the order of nss. The host's namespace is
// audited as Run audits it (every key, the sysctl.d tree); any other reads
// only the per-namespace keys (scope netns in sysctl/keys.tsv) and has no
// sysctl.d tree: both belong to the host. The global keys are judged once:
// with the host's namespace when nss holds it (the others record them as
// absent, judged there), else in each namespace with the host's values,
// read before any namespace is entered, its findings about them marked
// host-wide. A namespace that is gone before it could be entered (its
// processes exited) or that may not be entered is skipped with the reason;
// any other failure is an error naming the namespace. The proc root must be
// the live /proc.
func RunNamespaces(ctx context.Context, o Options, nss []netns.Namespace) ([]NamespaceAudit, error) {
	if !audit.IsLive(o.ProcRoot) {
		return nil, fmt.Errorf("%w: namespaces are entered on the live host; proc root %s is not /proc", audit.ErrUsage, o.ProcRoot)
	}
	r, err := Prepare(o)
	if err != nil {
		return nil, err
	}
	if err := audit.CheckAttribution(o.ProcRoot, o.Attribution); err != nil {
		return nil, err
	}
	pass := audit.PassFor(o.Census, o.ProcRoot, len(nss))
	var host map[string]string
	if !slices.ContainsFunc(nss, netns.Namespace.IsHost) {
		if host, err = r.hostGlobals(); err != nil {
			return nil, err
		}
	}
	out := make([]NamespaceAudit, len(nss))
	err = netns.Parallel(ctx, len(nss), func(i int) error {
		var err error
		out[i], err = r.runNamespace(ctx, nss[i], o.Today, host, pass)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// runNamespace audits ns from inside it, looking for the owners of its
// sockets among its own processes, or in pass when its census came from
// there; host holds the host's values of the global keys when they are
// judged in ns (nil: with the host's namespace).
func (r *Runner) runNamespace(ctx context.Context, ns netns.Namespace, today time.Time, host map[string]string, pass *audit.SocketPass) (NamespaceAudit, error) {
	na := NamespaceAudit{Namespace: ns}
	scope := &audit.Scope{Net: netns.ThreadNet, PIDs: ns.Members(), Pass: pass.Namespace(ns.Inode)}
	err := netns.Do(ns, func() error {
		var err error
		if ns.IsHost() {
			na.Audit, err = r.run(ctx, today, scope)
		} else if na.Audit, err = r.runChild(ctx, today, scope, host); err == nil {
			na.Census = CensusOf(na.Audit.Facts)
			na.Audit.Facts = nil // released: see NamespaceAudit
		}
		return err
	})
	if na.Audit != nil && na.Audit.Facts != nil {
		na.Census = CensusOf(na.Audit.Facts)
	}
	na.Skipped, err = netns.SkipReason(err)
	if err != nil {
		return na, fmt.Errorf("namespace %s: %w", ns.String(), err)
	}
	return na, nil
}

// runChild audits a namespace that is not the host's: per-namespace keys
// only, no sysctl.d tree. The global keys are absent from its facts; the
// rules that need one are judged with their values in host, read in the
// host's namespace, or, when host is nil, with the host's namespace.
func (r *Runner) runChild(ctx context.Context, today time.Time, scope *audit.Scope, host map[string]string) (*Audit, error) {
	o := r.opts
	keys := append([]string{audit.PortRangeKey}, r.engine.Keys()...)
	global := slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return !isGlobal(k) })
	keys = slices.DeleteFunc(keys, isGlobal)
	ao := audit.Options{ProcRoot: o.ProcRoot, Keys: keys, Census: o.Census, Scope: scope, Attribution: o.Attribution}
	f, err := audit.Sample(ctx, ao, o.Samples, o.Interval, o.Progress)
	if err != nil {
		return nil, err
	}
	why := rules.ErrJudgedWithHost
	if host != nil {
		why = fs.ErrNotExist // not visible here: what the host lacks too
	}
	f = withGlobalsAbsent(f, global, why).WithoutConfigured("the sysctl.d tree applies to the host namespace only")
	if host != nil {
		return r.judgeHostWide(f, host, today), nil
	}
	return r.evaluate(f, today, nil), nil
}

// isGlobal reports whether a key belongs to the initial namespace only.
func isGlobal(key string) bool {
	k, ok := sysctl.Lookup(key)
	return ok && k.Global()
}

// withGlobalsAbsent returns a copy of f with the global keys recorded as
// absent for why, as a fresh namespace shows most of them
// (docs/kernel-facts.md §12).
func withGlobalsAbsent(f *audit.Facts, global []string, why error) *audit.Facts {
	g := *f
	g.Sysctls, g.Absent = maps.Clone(f.Sysctls), maps.Clone(f.Absent)
	if g.Absent == nil {
		g.Absent = make(map[string]error)
	}
	for _, k := range global {
		delete(g.Sysctls, k)
		g.Absent[k] = why
	}
	return &g
}

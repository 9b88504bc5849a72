package pipeline

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

// hostGlobals reads the global keys the rules read in the calling thread's
// namespace, before any other is entered: the host's when tcpaudit runs
// there. A namespace that is not the initial one lacks most of them: those
// it lacks are left out, and the rules that need them say they are not
// visible here.
func (r *Runner) hostGlobals() (map[string]string, error) {
	fsys, err := audit.NewFS(r.opts.ProcRoot)
	if err != nil {
		return nil, err
	}
	global := slices.DeleteFunc(r.engine.Keys(), func(k string) bool { return !isGlobal(k) })
	values, _, err := fsys.Sysctls(global)
	if err != nil {
		return nil, fmt.Errorf("global keys of the host: %w", err)
	}
	return values, nil
}

// judgeHostWide judges f, a namespace's facts with the global keys
// absent, with the host's values of those keys (host) in their place, and
// marks the findings of the rules that read one host-wide. The counters
// those rules compare with the keys are those a child namespace shows of
// the whole host (sockstat orphan and mem, docs/kernel-facts.md §11). The
// audit keeps f, so that a fix planned from it still sees a child
// namespace.
func (r *Runner) judgeHostWide(f *audit.Facts, host map[string]string, today time.Time) *Audit {
	g := *f
	g.Sysctls, g.Absent = maps.Clone(f.Sysctls), maps.Clone(f.Absent)
	if g.Sysctls == nil {
		g.Sysctls = make(map[string]string, len(host))
	}
	for k, v := range host {
		g.Sysctls[k] = v
		delete(g.Absent, k)
	}
	a := r.evaluate(&g, today, nil)
	a.Facts = f
	wide := make(map[string]bool)
	for _, rule := range r.engine.Rules {
		wide[rule.ID] = slices.ContainsFunc(rule.Keys, isGlobal)
	}
	for i := range a.Result.Findings {
		a.Result.Findings[i].HostWide = wide[a.Result.Findings[i].Rule]
	}
	return a
}

package pipeline

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/rules"
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

// judgeHostWide judges again, with the host's values of the global keys
// (host), the rules of res that need one, and marks their findings
// host-wide. The counters they compare with the keys are those a child
// namespace shows of the whole host (sockstat orphan and mem,
// docs/kernel-facts.md §11); f keeps the global keys absent, so that a
// fix planned from it still sees a child namespace.
func (r *Runner) judgeHostWide(res rules.Result, f *audit.Facts, host map[string]string, today time.Time) rules.Result {
	wide := slices.DeleteFunc(slices.Clone(r.engine.Rules), func(rule rules.Rule) bool {
		return !slices.ContainsFunc(rule.Keys, isGlobal)
	})
	g := *f
	g.Sysctls, g.Absent = maps.Clone(f.Sysctls), maps.Clone(f.Absent)
	if g.Sysctls == nil {
		g.Sysctls = make(map[string]string, len(host))
	}
	for k, v := range host {
		g.Sysctls[k] = v
		delete(g.Absent, k)
	}
	cfg := r.config
	cfg.Today = today
	judged := rules.Engine{Rules: wide}.Evaluate(&g, cfg)
	res.Evaluations = slices.Clone(res.Evaluations)
	for _, e := range judged.Evaluations {
		if i := slices.IndexFunc(res.Evaluations, func(o rules.Evaluation) bool { return o.Rule == e.Rule }); i >= 0 {
			res.Evaluations[i] = e
		}
	}
	for _, fd := range judged.Findings {
		fd.HostWide = true
		res.Findings = append(res.Findings, fd)
	}
	rules.SortFindings(res.Findings)
	return res
}

// Package pipeline runs the whole audit from one options value: it gathers
// the facts under a proc root, attaches what the sysctl.d tree sets (for
// runtime-config-drift), loads the profiles with a configuration file's
// overrides and waivers, and evaluates the rules. It audits several network
// namespaces of the live host in one run (RunNamespaces) and merges their
// results into one (Merge). It also plans the sysctl.d drop-in that fixes
// the findings. It never prints and never reads the clock: the caller
// passes the date waivers are judged on.
package pipeline

import (
	"context"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

// Options say what to audit and against which profile.
type Options struct {
	// ProcRoot is the directory that mirrors /proc.
	ProcRoot string
	// SysctlRoot is the root of the sysctl.d tree compared with the
	// runtime values; "" means / when ProcRoot is the live /proc, and no
	// tree otherwise.
	SysctlRoot string
	// Census selects the socket census source; "" means auto.
	Census audit.CensusSource
	// Attribution says how the processes holding sockets are found; ""
	// means auto.
	Attribution audit.AttributionMode
	// Samples is the number of samples taken Interval apart; 0 or 1
	// gathers once. Progress, when set, is called after each sample.
	Samples  int
	Interval time.Duration
	Progress func(done, total int)
	// Profile is the comma-separated list of profiles to apply ("" for
	// the default); ProfileFiles are user profiles that may be named in it.
	Profile      string
	ProfileFiles []string
	// Overrides and Waivers come from a configuration file: per-rule
	// settings applied after every profile, and accepted findings.
	Overrides *profiles.Profile
	Waivers   []rules.Waiver
	// Today is the date waivers are judged on.
	Today time.Time
	// Rules are the rules to evaluate; nil for the whole catalog.
	Rules []rules.Rule
}

// Audit is the outcome of one run.
type Audit struct {
	Facts  *audit.Facts
	Result rules.Result
	// Profile names the profiles applied.
	Profile string
	// Hostname names the audited host.
	Hostname string
	// Sysctl is the resolved sysctl.d tree; nil when there is none to
	// compare with.
	Sysctl *sysctlconf.Config
}

// Run gathers, attaches the sysctl.d tree, and evaluates the profile.
func Run(ctx context.Context, o Options) (*Audit, error) {
	p, err := Prepare(o)
	if err != nil {
		return nil, err
	}
	return p.Run(ctx, o.Today)
}

// Runner is a prepared audit, for callers that run it more than once (an
// exporter): the profiles are read once.
type Runner struct {
	opts   Options
	engine rules.Engine
	config rules.Config
}

// Profile loads the profiles of o with its overrides and waivers, judged
// on o.Today: the rules.Config an evaluation of o uses.
func Profile(o Options) (rules.Config, error) {
	cfg, err := profiles.LoadWith(o.Profile, o.Overrides, o.ProfileFiles...)
	if err != nil {
		return rules.Config{}, err
	}
	cfg.Waivers, cfg.Today = o.Waivers, o.Today
	return cfg, nil
}

// Prepare loads the profiles of o; o.Today is not used (Run takes the
// date of each run).
func Prepare(o Options) (*Runner, error) {
	cfg, err := Profile(o)
	if err != nil {
		return nil, err
	}
	engine := rules.NewEngine()
	if o.Rules != nil {
		engine.Rules = o.Rules
	}
	return &Runner{opts: o, engine: engine, config: cfg}, nil
}

// Run audits once, judging waivers on today. The sysctl.d tree is read
// anew each time: it may change between runs.
func (r *Runner) Run(ctx context.Context, today time.Time) (*Audit, error) {
	return r.run(ctx, today, nil)
}

// run audits the namespace of the calling thread, narrowed to scope when
// it is one namespace of several (nil: the proc root whole).
func (r *Runner) run(ctx context.Context, today time.Time, scope *audit.Scope) (*Audit, error) {
	o := r.opts
	tree, err := loadTree(o.ProcRoot, o.SysctlRoot)
	if err != nil {
		return nil, err
	}
	ao := audit.Options{ProcRoot: o.ProcRoot, Keys: tree.keys(o.ProcRoot, r.engine.Keys()), Census: o.Census, Scope: scope, Attribution: o.Attribution}
	f, err := audit.Sample(ctx, ao, o.Samples, o.Interval, o.Progress)
	if err != nil {
		return nil, err
	}
	if o.SysctlRoot == "" { // the host's own tree, not one named for this namespace
		tree = tree.inGuest(f)
	}
	return r.evaluate(tree.attach(f), today, tree.conf), nil
}

// evaluate judges f against the profiles, waivers judged on today.
func (r *Runner) evaluate(f *audit.Facts, today time.Time, conf *sysctlconf.Config) *Audit {
	cfg := r.config
	cfg.Today = today
	return &Audit{
		Facts:    f,
		Result:   r.engine.Evaluate(f, cfg),
		Profile:  cfg.Profile,
		Hostname: Hostname(r.opts.ProcRoot),
		Sysctl:   conf,
	}
}

// Keys are the sysctls an audit of procRoot reads: the rules' keys, the
// ephemeral port range and the keys the sysctl.d tree sets. On an error
// reading the tree, the keys without it are returned with the error.
func Keys(procRoot, sysctlRoot string) ([]string, error) {
	keys := append([]string{audit.PortRangeKey}, rules.NewEngine().Keys()...)
	tree, err := loadTree(procRoot, sysctlRoot)
	if err != nil {
		return keys, err
	}
	return tree.keys(procRoot, keys), nil
}

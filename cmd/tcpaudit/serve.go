package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// serveOptions are the settings of `tcpaudit serve`.
type serveOptions struct {
	Listen       string        `mapstructure:"listen"`
	Interval     time.Duration `mapstructure:"interval"`
	ProcRoot     string        `mapstructure:"proc-root"`
	Profile      string        `mapstructure:"profile"`
	ProfileFiles []string      `mapstructure:"profile-file"`
	Source       string        `mapstructure:"source"`
	SysctlRoot   string        `mapstructure:"sysctl-root"`
	Config       string        `mapstructure:"config"`
}

// shutdownGrace bounds how long in-flight scrapes may finish on shutdown.
const shutdownGrace = 5 * time.Second

func newServeCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the audit as Prometheus metrics on /metrics",
		Long: "serve is a Prometheus exporter. It evaluates the profile on every scrape of\n" +
			"/metrics, or with --interval every interval in the background, serving the\n" +
			"last result. /healthz answers 200 while the last evaluation succeeded and 503\n" +
			"with the error otherwise. SIGINT or SIGTERM shut it down gracefully.",
		Args: cobra.NoArgs,
	}
	f := cmd.Flags()
	f.String("listen", "127.0.0.1:9764", "address to listen on (host:port; :9764 for every interface)")
	f.Duration("interval", 0, "evaluate every interval and serve the cached result; 0 evaluates on each scrape")
	f.String("proc-root", "/proc", "directory that mirrors /proc (/host/proc in a container)")
	f.String("profile", profiles.Default, "profiles to apply, comma-separated ("+fmt.Sprint(profiles.Names())+")")
	f.StringSlice("profile-file", nil, "extra profile YAML files; their names can be used in --profile")
	f.String("source", "auto", "socket census source: auto (netlink on the live host, else /proc), netlink or proc")
	f.String("sysctl-root", "", "root of the sysctl.d tree compared with runtime values (default / when --proc-root is /proc)")
	cmd.RunE = withOptions(func(cmd *cobra.Command, _ []string, o serveOptions) error {
		return runServe(cmd.Context(), s, o)
	})
	return cmd
}

func runServe(ctx context.Context, s streams, o serveOptions) error {
	if o.Interval < 0 {
		return usageError("--interval %s: want 0 or a positive duration", o.Interval)
	}
	cfg, err := loadProfile(o.Profile, o.ProfileFiles, o.Config, time.Now())
	if err != nil {
		return usageError("%w", err)
	}
	src, err := audit.ParseCensusSource(o.Source)
	if err != nil {
		return usageError("--source: %w", err)
	}
	engine := rules.NewEngine()
	eval := func() (rules.Result, error) {
		// The sysctl.d tree is read anew each time: it may change while
		// the exporter runs.
		drift, err := loadDriftConfig(o.ProcRoot, o.SysctlRoot)
		if err != nil {
			return rules.Result{}, err
		}
		f, err := audit.Gather(audit.Options{ProcRoot: o.ProcRoot, Keys: drift.keys(engine.Keys()), Census: src})
		if err != nil {
			return rules.Result{}, err
		}
		f = drift.attach(f)
		c := cfg
		c.Today = time.Now() // waivers expire while the exporter runs
		return engine.Evaluate(f, c), nil
	}
	x := newExporter(eval, o.Interval, version)
	if err := x.evaluate(); err != nil {
		return &codeError{code: exitError, err: fmt.Errorf("serve: first evaluation: %w", err)}
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return usageError("--listen: %w", err)
	}
	srv := &http.Server{Handler: x.mux(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(s.err, "tcpaudit serve: listening on http://%s/metrics\n", ln.Addr())
	return serveUntilDone(ctx, srv, ln, x)
}

// serveUntilDone serves until ctx is done, refreshing the cache if the
// exporter has an interval, then shuts the server down gracefully.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener, x *exporter) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		x.refreshLoop(ctx)
		close(done)
	}()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		cancel()
		<-done
		return &codeError{code: exitError, err: fmt.Errorf("serve: %w", err)}
	case <-ctx.Done():
	}
	sctx, scancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer scancel()
	err := srv.Shutdown(sctx)
	<-done
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return &codeError{code: exitError, err: fmt.Errorf("serve: %w", err)}
	}
	if err != nil {
		return &codeError{code: exitError, err: fmt.Errorf("serve: shutdown: %w", err)}
	}
	return nil
}

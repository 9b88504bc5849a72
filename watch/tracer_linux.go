//go:build linux && !tcpaudit_portable

package watch

import (
	"errors"
	"fmt"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"
)

// bpfTracer is the BPF programs of bpf/watch.c attached to their
// tracepoints, and their maps.
type bpfTracer struct {
	objs  loaded
	links []link.Link
}

// loaded are the maps and the programs a tracer loads: one of the two
// tcp_retransmit_skb programs, under on_retransmit.
type loaded struct {
	tracerMaps
	State        *ebpf.Program `ebpf:"on_state"`
	SendReset    *ebpf.Program `ebpf:"on_send_reset"`
	ReceiveReset *ebpf.Program `ebpf:"on_receive_reset"`
	Synack       *ebpf.Program `ebpf:"on_synack"`
	Retransmit   *ebpf.Program `ebpf:"on_retransmit"`
	KfreeSkb     *ebpf.Program `ebpf:"on_kfree_skb"`
	ConsumeSkb   *ebpf.Program `ebpf:"on_consume_skb"`
}

// Close frees the maps and programs.
func (l *loaded) Close() error {
	errs := []error{l.tracerMaps.Close()}
	for _, p := range l.programs() {
		if p != nil {
			errs = append(errs, p.Close())
		}
	}
	return errors.Join(errs...)
}

func (l *loaded) programs() []*ebpf.Program {
	return []*ebpf.Program{l.State, l.SendReset, l.ReceiveReset, l.Synack, l.Retransmit, l.KfreeSkb, l.ConsumeSkb}
}

// OpenBPF loads the BPF programs and attaches them to the tracepoints,
// watching the network namespace with inode netns (0: every namespace). An
// error wraps ErrUnavailable when the kernel refuses BPF (no privilege, no
// BTF, a verifier or attach failure), so that the caller can sample
// instead.
func OpenBPF(netns uint32) (Tracer, error) {
	if err := rlimit.RemoveMemlock(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	spec, err := loadTracer()
	if err != nil {
		return nil, fmt.Errorf("load BPF spec: %w", err)
	}
	if err := spec.Variables[tracerVarFilterNetns].Set(netns); err != nil {
		return nil, fmt.Errorf("set BPF namespace filter: %w", err)
	}
	args, err := retransmitArgs()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if args < 3 {
		spec.Programs[tracerProgOnRetransmit] = spec.Programs[tracerProgOnRetransmitSent]
	}
	t := &bpfTracer{}
	if err := spec.LoadAndAssign(&t.objs, nil); err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			return nil, fmt.Errorf("%w: verifier: %v", ErrUnavailable, ve)
		}
		return nil, fmt.Errorf("%w: load BPF programs: %w", ErrUnavailable, err)
	}
	for _, prog := range t.objs.programs() {
		l, err := link.AttachTracing(link.TracingOptions{Program: prog})
		if err != nil {
			t.Close()
			return nil, fmt.Errorf("%w: attach %s: %w", ErrUnavailable, prog, err)
		}
		t.links = append(t.links, l)
	}
	return t, nil
}

// baseline is the tracer's counters when it attached: none yet.
func (t *bpfTracer) baseline(at time.Time) Reading { return Reading{Source: FromBPF, At: at} }

// retransmitArgs counts the arguments of the tcp_retransmit_skb
// tracepoint in the kernel's BTF (its btf_trace_ typedef): 2 (sk, skb) on
// older kernels, 3 (sk, skb, err) on those that trace failed attempts too.
func retransmitArgs() (int, error) {
	k, err := btf.LoadKernelSpec()
	if err != nil {
		return 0, fmt.Errorf("kernel BTF: %w", err)
	}
	var td *btf.Typedef
	if err := k.TypeByName("btf_trace_tcp_retransmit_skb", &td); err != nil {
		return 0, fmt.Errorf("kernel BTF: tracepoint tcp_retransmit_skb: %w", err)
	}
	if p, ok := td.Type.(*btf.Pointer); ok {
		if fp, ok := p.Target.(*btf.FuncProto); ok {
			return len(fp.Params) - 1, nil // the first is the tracepoint's context
		}
	}
	return 0, fmt.Errorf("kernel BTF: btf_trace_tcp_retransmit_skb is %s, not a function pointer", td.Type)
}

// Close detaches the programs and frees the maps.
func (t *bpfTracer) Close() error {
	var errs []error
	for _, l := range t.links {
		errs = append(errs, l.Close())
	}
	errs = append(errs, t.objs.Close())
	return errors.Join(errs...)
}

// Read sums the per-CPU counters and lists the live CLOSE_WAIT and
// FIN_WAIT2 sockets, their ages from the kernel's monotonic clock (the
// clock of bpf_ktime_get_ns).
func (t *bpfTracer) Read(at time.Time) (Reading, error) {
	r := Reading{Source: FromBPF, At: at}
	m := &t.objs.tracerMaps
	var err error
	if r.Transitions, err = transitions(m.Transitions); err != nil {
		return r, err
	}
	if err := histograms(m.StateTime, &r); err != nil {
		return r, err
	}
	if r.TimeWait, err = timeWait(m.Timewait); err != nil {
		return r, err
	}
	if r.Orphans, err = orphans(m.Orphans); err != nil {
		return r, err
	}
	if r.Resets, err = resets(m.Resets); err != nil {
		return r, err
	}
	if r.SynAck, err = peers(m.SynackRetrans); err != nil {
		return r, err
	}
	if r.Retransmits, err = peers(m.Retrans); err != nil {
		return r, err
	}
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return r, fmt.Errorf("monotonic clock: %w", err)
	}
	r.Live, err = live(m.Socks, time.Duration(ts.Nano()))
	return r, err
}

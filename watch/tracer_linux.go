//go:build linux && !tcpaudit_portable

package watch

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/tcpaudit/tcpaudit/internal/memlock"
)

// bpfTracer is the BPF programs of bpf/watch.c attached to their
// tracepoints, and their maps.
type bpfTracer struct {
	objs  tracerMaps
	progs *ebpf.Collection // the programs this kernel loads (see choosePrograms)
	links []link.Link
}

// OpenBPF loads the BPF programs and attaches them to the tracepoints,
// watching the network namespace with inode netns (0: every namespace). An
// error wraps ErrUnavailable when the kernel refuses BPF (no privilege, no
// BTF, a verifier or attach failure), so that the caller can sample
// instead.
func OpenBPF(netns uint32) (Tracer, error) { return openBPF(netns, bpfOptions{}) }

// bpfOptions change how the programs work, for tests of their less
// common paths.
type bpfOptions struct {
	// packets reads late FINs from the freed packets' headers even where
	// kfree_skb names the receiving socket (the path of older kernels).
	packets bool
	// slotBits, when not 0, uses 2^slotBits slots for the sockets'
	// entries, so that most sockets find their slot held by another.
	slotBits uint32
}

// openBPF is OpenBPF with options.
func openBPF(netns uint32, o bpfOptions) (Tracer, error) {
	if err := memlock.Raise(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	spec, err := loadTracer()
	if err != nil {
		return nil, fmt.Errorf("load BPF spec: %w", err)
	}
	if err := spec.Variables[tracerVarFilterNetns].Set(netns); err != nil {
		return nil, fmt.Errorf("set BPF namespace filter: %w", err)
	}
	if o.slotBits != 0 {
		if err := spec.Variables[tracerVarSlotBits].Set(o.slotBits); err != nil {
			return nil, fmt.Errorf("set BPF slots: %w", err)
		}
	}
	if err := choosePrograms(spec, o.packets); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			return nil, fmt.Errorf("%w: verifier: %v", ErrUnavailable, ve)
		}
		return nil, fmt.Errorf("%w: load BPF programs: %w", ErrUnavailable, err)
	}
	t := &bpfTracer{progs: coll}
	if err := coll.Assign(&t.objs); err != nil {
		coll.Close()
		return nil, fmt.Errorf("load BPF maps: %w", err)
	}
	for _, name := range slices.Sorted(maps.Keys(coll.Programs)) {
		l, err := link.AttachTracing(link.TracingOptions{Program: coll.Programs[name]})
		if err != nil {
			t.Close()
			return nil, fmt.Errorf("%w: attach %s: %w", ErrUnavailable, name, err)
		}
		t.links = append(t.links, l)
	}
	return t, nil
}

// choosePrograms keeps in spec the programs this kernel takes, by the
// prototypes of their tracepoints in its BTF: one of the two
// tcp_retransmit_skb programs, under on_retransmit; on_late_fin where
// kfree_skb names the receiving socket (unless packets), else the two
// programs that read late FINs from freed packets.
func choosePrograms(spec *ebpf.CollectionSpec, packets bool) error {
	k, err := btf.LoadKernelSpec()
	if err != nil {
		return fmt.Errorf("kernel BTF: %w", err)
	}
	retransmit, err := tracepointArgs(k, "tcp_retransmit_skb")
	if err != nil {
		return err
	}
	if retransmit < 3 {
		spec.Programs[tracerProgOnRetransmit] = spec.Programs[tracerProgOnRetransmitSent]
	}
	delete(spec.Programs, tracerProgOnRetransmitSent)
	kfree, err := tracepointArgs(k, "kfree_skb")
	if err != nil {
		return err
	}
	if kfree >= 4 && !packets {
		delete(spec.Programs, tracerProgOnKfreeSkb)
		delete(spec.Programs, tracerProgOnConsumeSkb)
	} else {
		delete(spec.Programs, tracerProgOnLateFin)
	}
	return nil
}

// baseline is the tracer's counters when it attached: none yet.
func (t *bpfTracer) baseline(at time.Time) Reading { return Reading{Source: FromBPF, At: at} }

// tracepointArgs counts the arguments of a tracepoint in the kernel's BTF
// (its btf_trace_ typedef): tcp_retransmit_skb has 2 (sk, skb) on older
// kernels, 3 (sk, skb, err) on those that trace failed attempts too;
// kfree_skb has 4 (skb, location, reason, rx_sk) since Linux 6.11.
func tracepointArgs(k *btf.Spec, name string) (int, error) {
	var td *btf.Typedef
	if err := k.TypeByName("btf_trace_"+name, &td); err != nil {
		return 0, fmt.Errorf("kernel BTF: tracepoint %s: %w", name, err)
	}
	if p, ok := td.Type.(*btf.Pointer); ok {
		if fp, ok := p.Target.(*btf.FuncProto); ok {
			return len(fp.Params) - 1, nil // the first is the tracepoint's context
		}
	}
	return 0, fmt.Errorf("kernel BTF: btf_trace_%s is %s, not a function pointer", name, td.Type)
}

// Close detaches the programs and frees the maps.
func (t *bpfTracer) Close() error {
	var errs []error
	for _, l := range t.links {
		errs = append(errs, l.Close())
	}
	errs = append(errs, t.objs.Close())
	t.progs.Close()
	return errors.Join(errs...)
}

// Read sums the per-CPU counters and lists the live CLOSE_WAIT and
// FIN_WAIT2 sockets, their ages from the kernel's monotonic clock (the
// clock of bpf_ktime_get_ns).
func (t *bpfTracer) Read(at time.Time) (Reading, error) {
	r := Reading{Source: FromBPF, At: at}
	m := &t.objs
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
	r.TimeWaitByNetns = map[uint32]uint64{}
	if err := each(m.TimewaitNetns, func(ns uint32, v []uint64) { r.TimeWaitByNetns[ns] += sum(v) }); err != nil {
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
	if r.Missed, err = t.missed(); err != nil {
		return r, err
	}
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return r, fmt.Errorf("monotonic clock: %w", err)
	}
	r.Live, err = live(m.Slots, m.Socks, time.Duration(ts.Nano()))
	return r, err
}

// missed sums the events lost since the programs were loaded: the runs
// of the tracer's programs the kernel skipped (recursion_misses of each
// program's info, Linux 5.12; 0 before) and the map writes it refused
// (map refused).
func (t *bpfTracer) missed() (uint64, error) {
	var n uint64
	for name, p := range t.progs.Programs {
		st, err := p.Stats()
		if err != nil {
			return 0, fmt.Errorf("BPF program %s: %w", name, err)
		}
		n += st.RecursionMisses
	}
	err := each(t.objs.Refused, func(_ uint32, v []uint64) { n += sum(v) })
	return n, err
}

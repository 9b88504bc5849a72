package audit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"strings"
	"time"
)

// Sampling is what repeated samples of one host showed.
type Sampling struct {
	Samples  int
	Interval time.Duration
	// Elapsed is the time from the first sample to the last.
	Elapsed time.Duration
	// StuckCloseWait holds the inodes of CLOSE_WAIT sockets present in every
	// sample: sockets the application has not closed for at least Elapsed.
	// Its Beyond counts the CLOSE_WAIT sockets of the first sample it did
	// not follow (more than AttributionBatch): the stuck are at least its
	// length.
	StuckCloseWait *InodeList
	// Rates are the deltas of the sampled counters between the first and
	// the last sample.
	Rates []Rate
}

// Rate is the change of one kernel counter over the sampling.
type Rate struct {
	Section   string  `json:"section"`
	Name      string  `json:"name"`
	Delta     int64   `json:"delta"`
	PerSecond float64 `json:"per_second"`
}

// sampledCounters are the counters whose deltas sampling reports.
func sampledCounters() [][2]string {
	return [][2]string{
		{"TcpExt", "ListenOverflows"}, {"TcpExt", "ListenDrops"},
		{"TcpExt", "TCPTimeWaitOverflow"}, {"TcpExt", "TWRecycled"},
		{"TcpExt", "TCPMemoryPressures"}, {"TcpExt", "TCPAbortOnMemory"},
		{"Tcp", "ActiveOpens"},
		{ConntrackSection, "drop"}, {ConntrackSection, "early_drop"}, {ConntrackSection, "insert_failed"},
	}
}

// Summary says in one line what the samples showed: the stuck CLOSE_WAIT
// sockets and the counter rates.
func (s *Sampling) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d samples over %s: %s CLOSE_WAIT sockets present in every sample",
		s.Samples, s.Elapsed.Round(time.Millisecond), s.StuckCount())
	for _, r := range s.Rates {
		fmt.Fprintf(&b, "; %s %s %+d (%.1f/s)", r.Section, r.Name, r.Delta, r.PerSecond)
	}
	return b.String()
}

// StuckCount says how many CLOSE_WAIT sockets stayed through every
// sample: "at least N (...)" naming those not followed when the first
// sample had more than AttributionBatch.
func (s *Sampling) StuckCount() string {
	n := s.StuckCloseWait.Len()
	if s.StuckCloseWait == nil || s.StuckCloseWait.Beyond == 0 {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("at least %d (the %d others of the first sample, past the %d followed, unknown)", n, s.StuckCloseWait.Beyond, AttributionBatch)
}

// Rate returns the rate of one counter and whether it was sampled.
func (s *Sampling) Rate(section, name string) (Rate, bool) {
	if s != nil {
		for _, r := range s.Rates {
			if r.Section == section && r.Name == name {
				return r, true
			}
		}
	}
	return Rate{}, false
}

// Sample gathers the facts once, then takes samples-1 more readings of the
// CLOSE_WAIT sockets and counters, interval apart. The Facts are those of
// the first sample with the counters of the last one and Sampling set.
// progress, when not nil, is called after each sample.
func Sample(ctx context.Context, o Options, samples int, interval time.Duration, progress func(done, total int)) (*Facts, error) {
	fsys, err := NewFS(o.ProcRoot)
	if err != nil {
		return nil, err
	}
	fsys = o.reader(fsys)
	f, err := fsys.Gather(o.Keys, o.Census)
	if err != nil || samples <= 1 {
		return f, err
	}
	s := &Sampling{Samples: samples, Interval: interval}
	if f.Census != nil {
		s.StuckCloseWait = f.Census.CloseWaitList()
	}
	first, start := withConntrack(f.Counters, f.Conntrack), time.Now()
	last := first
	report(progress, 1, samples)
	for i := 2; i <= samples; i++ {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(interval):
		}
		if last, err = fsys.resample(f, s, i == samples); err != nil {
			return nil, fmt.Errorf("sample %d: %w", i, err)
		}
		report(progress, i, samples)
	}
	s.Elapsed = time.Since(start)
	s.Rates = Rates(first, last, s.Elapsed)
	f.Counters, f.Sampling = withoutConntrack(last), s
	fsys.nameStuck(f, s)
	if f.Conntrack != nil && last[ConntrackSection] != nil {
		f.Conntrack = &Conntrack{Sysctls: f.Conntrack.Sysctls, Stats: ConntrackStats(last[ConntrackSection])}
	}
	return f, nil
}

func report(progress func(int, int), done, total int) {
	if progress != nil {
		progress(done, total)
	}
}

// resample reads the CLOSE_WAIT sockets and counters again, keeping in s
// the inodes still in CLOSE_WAIT, and returns the latest counters (missing
// files leave theirs out, as in the first sample). The last sample over
// netlink also takes the tcp_info of the CLOSE_WAIT sockets: the longest
// idle of the first sample may have closed since, and the stuck ones,
// idle times and owners the finding names are those of now.
func (fsys FS) resample(f *Facts, s *Sampling, last bool) (Counters, error) {
	if f.Census != nil {
		info := last && f.CensusSource == CensusNetlink && f.CloseWaitInfo != nil
		c, err := fsys.stillCloseWait(f.CensusSource, s.StuckCloseWait, info)
		if err != nil {
			return nil, err
		}
		if info {
			f.CloseWaitInfo, c.idle = oldestFirst(c.idle), nil
		}
	}
	c, err := fsys.Counters()
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if f.Conntrack == nil {
		return c, nil
	}
	stats, err := fsys.ConntrackStats()
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return withConntrack(c, &Conntrack{Stats: stats}), nil
}

// ConntrackSection is the section under which sampling reports the
// conntrack statistics (drop, early_drop, insert_failed).
const ConntrackSection = "Conntrack"

// withConntrack returns the counters with the conntrack statistics added
// as ConntrackSection, leaving c itself unchanged.
func withConntrack(c Counters, ct *Conntrack) Counters {
	if ct == nil || ct.Stats == nil {
		return c
	}
	out := maps.Clone(c)
	if out == nil {
		out = make(Counters)
	}
	out[ConntrackSection] = maps.Clone(map[string]int64(ct.Stats))
	return out
}

// withoutConntrack returns the counters without ConntrackSection.
func withoutConntrack(c Counters) Counters {
	if _, ok := c[ConntrackSection]; !ok {
		return c
	}
	out := maps.Clone(c)
	delete(out, ConntrackSection)
	return out
}

// Rates returns the change of the sampled counters (ListenOverflows,
// ListenDrops, TCPTimeWaitOverflow, TWRecycled, TCPMemoryPressures,
// TCPAbortOnMemory, ActiveOpens, and the conntrack drop, early_drop and
// insert_failed) between two readings.
func Rates(first, last Counters, elapsed time.Duration) []Rate {
	var out []Rate
	for _, sc := range sampledCounters() {
		a, ok1 := first.Get(sc[0], sc[1])
		b, ok2 := last.Get(sc[0], sc[1])
		if !ok1 || !ok2 {
			continue
		}
		r := Rate{Section: sc[0], Name: sc[1], Delta: b - a}
		if elapsed > 0 {
			r.PerSecond = float64(r.Delta) / elapsed.Seconds()
		}
		out = append(out, r)
	}
	return out
}

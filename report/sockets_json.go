package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/netip"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/sockets"
)

// SocketsJSON writes the socket view as the JSON document of
// `tcpaudit sockets --format json`. State names are the kernel's, as in
// the check report.
type SocketsJSON struct{}

type socketsJSON struct {
	Source    string          `json:"source"`
	ElapsedMS float64         `json:"elapsed_ms"`
	Total     int             `json:"total"`
	States    map[string]int  `json:"states"`
	Listeners []listenerJSON  `json:"listeners"`
	Ephemeral []ephemeralJSON `json:"ephemeral"`
	// EphemeralError bounds how far each ephemeral count is below the
	// truth when there were more destinations than the census keeps.
	EphemeralError int           `json:"ephemeral_error,omitempty"`
	Ports          []portJSON    `json:"ports,omitempty"`
	Remotes        []remoteJSON  `json:"remotes,omitempty"`
	Processes      []processJSON `json:"processes"`
	// ProcessesLeft counts the processes past --top, not listed.
	ProcessesLeft int            `json:"processes_not_listed,omitempty"`
	Unattributed  int            `json:"unattributed,omitempty"`
	Sampling      *samplingJSON  `json:"sampling,omitempty"`
	Conntrack     *conntrackJSON `json:"conntrack,omitempty"`
	Notes         []string       `json:"notes,omitempty"`
}

type listenerJSON struct {
	Address     string `json:"address"`
	Port        uint16 `json:"port"`
	AcceptQueue uint32 `json:"accept_queue"`
	// Backlog is 0 when unknown (the /proc source).
	Backlog uint32 `json:"backlog"`
}

type ephemeralJSON struct {
	Local      string  `json:"local"`
	Remote     string  `json:"remote"`
	RemotePort uint16  `json:"remote_port"`
	Sockets    int     `json:"sockets"`
	TimeWait   int     `json:"time_wait"`
	Share      float64 `json:"share_of_range"`
}

type portJSON struct {
	Port      uint16 `json:"port"`
	Sockets   int    `json:"sockets"`
	Listening bool   `json:"listening"`
}

type remoteJSON struct {
	Endpoint string `json:"endpoint"`
	Inbound  bool   `json:"inbound"`
	Sockets  int    `json:"sockets"`
	// Error bounds the over-count: the true count is at least
	// sockets-error.
	Error int `json:"error"`
}

type processJSON struct {
	PID     int            `json:"pid"`
	Command string         `json:"command"`
	States  map[string]int `json:"states"`
}

// conntrackJSON is the conntrack table's totals and TCP entries by
// conntrack state (absent when net/nf_conntrack was not read).
type conntrackJSON struct {
	Count     int64            `json:"count"`
	Max       int64            `json:"max"`
	TCPStates map[string]int64 `json:"tcp_states,omitempty"`
}

type samplingJSON struct {
	Samples        int     `json:"samples"`
	ElapsedMS      float64 `json:"elapsed_ms"`
	StuckCloseWait int     `json:"stuck_close_wait"`
	// NotFollowed counts the CLOSE_WAIT sockets of the first sample past
	// the bound followed: the stuck are at least StuckCloseWait.
	NotFollowed int          `json:"close_wait_not_followed,omitempty"`
	Rates       []audit.Rate `json:"rates"`
}

// Write renders v, v.Top rows per ranking (every listener). The listeners
// are streamed one by one, so the output is never held whole: a proxy may
// listen on tens of thousands of ports.
func (SocketsJSON) Write(w io.Writer, v *sockets.View) error {
	doc, err := json.MarshalIndent(socketsDocument(v), "", "  ")
	if err != nil {
		return err
	}
	before, after, ok := bytes.Cut(doc, []byte(listenersMark))
	if !ok {
		return errors.New("sockets json: no listeners field")
	}
	bw := bufio.NewWriter(w)
	bw.Write(before)
	if err := streamListeners(bw, v.Listeners()); err != nil {
		return err
	}
	bw.Write(after)
	bw.WriteByte('\n')
	return bw.Flush()
}

// listenersMark is the listeners field of a document built without them.
const listenersMark = `"listeners": null`

// streamListeners writes the listeners array as MarshalIndent would, one
// listener at a time.
func streamListeners(w *bufio.Writer, ls []audit.Listener) error {
	if len(ls) == 0 {
		_, err := w.WriteString(`"listeners": []`)
		return err
	}
	w.WriteString(`"listeners": [`)
	for i, l := range ls {
		b, err := json.MarshalIndent(listenerOf(l), "    ", "  ")
		if err != nil {
			return err
		}
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString("\n    ")
		w.Write(b)
	}
	_, err := w.WriteString("\n  ]")
	return err
}

// listenerOf is one listener as the JSON shows it.
func listenerOf(l audit.Listener) listenerJSON {
	return listenerJSON{Address: l.Addr.Unmap().String(), Port: l.Port, AcceptQueue: l.AcceptQueue, Backlog: l.Backlog}
}

// listenersOf is every listener of v, for documents small enough to build
// whole (one namespace among many).
func listenersOf(v *sockets.View) []listenerJSON {
	out := []listenerJSON{}
	for _, l := range v.Listeners() {
		out = append(out, listenerOf(l))
	}
	return out
}

// socketsDocument builds the JSON document of v.
func socketsDocument(v *sockets.View) socketsJSON {
	doc := socketsJSON{Source: v.CensusName(), ElapsedMS: ms(v.Elapsed.Seconds()), Total: v.Count(),
		States: map[string]int{}, Ephemeral: []ephemeralJSON{}, Notes: v.Notes}
	for _, s := range audit.States() {
		if v.State == 0 || s == v.State {
			doc.States[s.String()] = v.Census.Count(s)
		}
	}
	for _, d := range head(v.Destinations(), v.Top) {
		doc.Ephemeral = append(doc.Ephemeral, ephemeralJSON{Local: d.Flow.Local.Unmap().String(), Remote: d.Flow.Remote.Unmap().String(),
			RemotePort: d.Flow.RemotePort, Sockets: d.Use.Sockets, TimeWait: d.Use.TimeWait, Share: d.Share})
	}
	doc.EphemeralError = v.Census.EphemeralError
	doc.Ports = portsJSON(v)
	for _, h := range v.Remotes(v.Top) {
		doc.Remotes = append(doc.Remotes, remoteJSON{Endpoint: endpointJSON(h.Endpoint), Inbound: h.Endpoint.Port() == 0, Sockets: h.Count, Error: h.Error})
	}
	doc.Processes, doc.Unattributed = processesJSON(v.Processes, v.Top)
	if v.Processes != nil {
		doc.ProcessesLeft = len(v.Processes.Processes) - len(doc.Processes)
	}
	if s := v.Stuck; s != nil {
		doc.Sampling = &samplingJSON{Samples: s.Samples, ElapsedMS: ms(s.Duration.Seconds()), StuckCloseWait: s.Sockets, NotFollowed: s.Beyond, Rates: v.Rates}
	}
	if c := v.Conntrack; c != nil {
		doc.Conntrack = &conntrackJSON{Count: c.Count, Max: c.Max, TCPStates: c.TCPStates}
	}
	return doc
}

// portsJSON lists the top local ports; nil (left out) unless ranked.
func portsJSON(v *sockets.View) []portJSON {
	var out []portJSON
	for _, p := range head(v.Ports(), v.Top) {
		out = append(out, portJSON(p))
	}
	return out
}

// processesJSON lists the top n processes with their states by name.
func processesJSON(p *audit.ProcessCensus, n int) ([]processJSON, int) {
	out := []processJSON{}
	if p == nil {
		return out, 0
	}
	for _, ps := range head(p.Processes, n) {
		states := map[string]int{}
		for s, k := range ps.States {
			states[s.String()] = k
		}
		out = append(out, processJSON{PID: ps.PID, Command: ps.Command, States: states})
	}
	return out, p.Unattributed
}

// ms is seconds in milliseconds, to the microsecond.
func ms(seconds float64) float64 { return float64(int64(seconds*1e6)) / 1e3 }

// endpointJSON is a remote endpoint; inbound clients have no port.
func endpointJSON(e netip.AddrPort) string {
	if e.Port() == 0 {
		return e.Addr().String()
	}
	return e.String()
}

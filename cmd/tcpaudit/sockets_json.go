package main

import (
	"encoding/json"
	"io"
	"net/netip"

	"github.com/tcpaudit/tcpaudit/audit"
)

// socketsJSON is the JSON document of `tcpaudit sockets --format json`.
// State names are the kernel's, as in `check`.
type socketsJSON struct {
	Source       string          `json:"source"`
	ElapsedMS    float64         `json:"elapsed_ms"`
	Total        int             `json:"total"`
	States       map[string]int  `json:"states"`
	Listeners    []listenerJSON  `json:"listeners"`
	Ephemeral    []ephemeralJSON `json:"ephemeral"`
	Ports        []portCount     `json:"ports,omitempty"`
	Remotes      []remoteJSON    `json:"remotes,omitempty"`
	Processes    []processJSON   `json:"processes"`
	Unattributed int             `json:"unattributed,omitempty"`
	Sampling     *samplingJSON   `json:"sampling,omitempty"`
	Notes        []string        `json:"notes,omitempty"`
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

type samplingJSON struct {
	Samples        int          `json:"samples"`
	ElapsedMS      float64      `json:"elapsed_ms"`
	StuckCloseWait int          `json:"stuck_close_wait"`
	Rates          []audit.Rate `json:"rates"`
}

func writeSocketsJSON(w io.Writer, v *socketView, n int) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(socketsDocument(v, n))
}

// socketsDocument builds the JSON document, n rows per ranking.
func socketsDocument(v *socketView, n int) socketsJSON {
	c := v.Census
	doc := socketsJSON{Source: v.Source, ElapsedMS: ms(v.Elapsed.Seconds()), Total: countOf(v),
		States: map[string]int{}, Listeners: []listenerJSON{}, Ephemeral: []ephemeralJSON{}, Notes: v.Notes}
	for _, s := range audit.States() {
		if v.State == 0 || s == v.State {
			doc.States[s.String()] = c.Count(s)
		}
	}
	for _, l := range listeners(c) {
		doc.Listeners = append(doc.Listeners, listenerJSON{Address: l.Addr.Unmap().String(), Port: l.Port, AcceptQueue: l.AcceptQueue, Backlog: l.Backlog})
	}
	for _, d := range top(destinations(c), n) {
		doc.Ephemeral = append(doc.Ephemeral, ephemeralJSON{Local: d.Flow.Local.Unmap().String(), Remote: d.Flow.Remote.Unmap().String(),
			RemotePort: d.Flow.RemotePort, Sockets: d.Use.Sockets, TimeWait: d.Use.TimeWait, Share: d.Share})
	}
	doc.Ports = top(ports(c), n)
	for _, h := range c.Remotes().Top(n) {
		doc.Remotes = append(doc.Remotes, remoteJSON{Endpoint: endpointJSON(h.Endpoint), Inbound: h.Endpoint.Port() == 0, Sockets: h.Count, Error: h.Error})
	}
	doc.Processes, doc.Unattributed = processesJSON(v.Processes, n)
	if s := v.Stuck; s != nil {
		doc.Sampling = &samplingJSON{Samples: s.Samples, ElapsedMS: ms(s.Duration.Seconds()), StuckCloseWait: s.Sockets, Rates: v.Rates}
	}
	return doc
}

// processesJSON lists the top n processes with their states by name.
func processesJSON(p *audit.ProcessCensus, n int) ([]processJSON, int) {
	out := []processJSON{}
	if p == nil {
		return out, 0
	}
	for _, ps := range top(p.Processes, n) {
		states := map[string]int{}
		for s, k := range ps.States {
			states[s.String()] = k
		}
		out = append(out, processJSON{PID: ps.PID, Command: ps.Command, States: states})
	}
	return out, p.Unattributed
}

func ms(seconds float64) float64 { return float64(int64(seconds*1e6)) / 1e3 }

func endpointJSON(e netip.AddrPort) string {
	if e.Port() == 0 {
		return e.Addr().String()
	}
	return e.String()
}

package main

import (
	"bytes"
	"encoding/json"
	"net"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tcpaudit/tcpaudit/report"
)

// watchSchema compiles the watch schema with the check schema its findings
// refer to, each under its $id.
func watchSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const base = "https://github.com/tcpaudit/tcpaudit/report/schema/"
	for name, doc := range map[string][]byte{"report.v1.schema.json": report.JSONSchema, "watch.v1.schema.json": report.WatchJSONSchema} {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource(base+name, v); err != nil {
			t.Fatal(err)
		}
	}
	s, err := c.Compile(base + "watch.v1.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestWatchOutputMatchesSchema validates what `watch --format json` prints,
// from the tracepoints and from samples, with traffic that fills its
// sections (transitions, time in state, TIME_WAIT per destination with a
// finding on a 100-port range, orphaned FIN_WAIT2, resets), against the documented schema; and
// checks that the schema refuses documents that break it.
func TestWatchOutputMatchesSchema(t *testing.T) {
	if !enterWithBPF(t) {
		return
	}
	setSysctl(t, "net/ipv4/ip_local_port_range", "40000 40099")
	addr := echoServer(t, "127.0.0.1:0").Addr().String()
	closed := closedPort(t)
	silent := holdingServer(t, 0)
	load := func() {
		churn(t, addr, 60)
		dialClose(t, silent, 5)                            // orphaned FIN_WAIT2: orphaned_fin_wait2 in a projection
		if c, err := net.Dial("tcp", closed); err == nil { // refused: an RST from the closed port
			c.Close()
		}
	}
	s := watchSchema(t)
	for _, args := range [][]string{{"--source", "bpf"}, {"--source", "sample", "--interval", "300ms"}} {
		args = append(args, "--duration", "3s", "--fail-on", "never")
		doc := watchDoc(t, load, args)
		if err := s.Validate(doc); err != nil {
			t.Errorf("watch %v: output does not match report/schema/watch.v1.schema.json (a field added to the watch JSON belongs there and in docs/json-output.md too): %v", args, err)
		}
		if fs, _ := doc.(map[string]any)["findings"].([]any); len(fs) == 0 {
			t.Errorf("watch %v: no finding validated: want the churn on 100 ports judged", args)
		}
		for name, broken := range map[string]func(map[string]any){
			"unknown field":     func(m map[string]any) { m["rates"] = 1 },
			"negative count":    func(m map[string]any) { m["time_wait_created"].(map[string]any)["count"] = -1 },
			"source misspelled": func(m map[string]any) { m["source"] = "ebpf" },
			"namespaces absent": func(m map[string]any) { delete(m, "namespaces") },
		} {
			b, _ := json.Marshal(doc)
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			broken(m)
			if s.Validate(m) == nil {
				t.Errorf("watch %v with %s: the schema accepts it", args, name)
			}
		}
	}
}

// watchDoc runs watch with args around load and returns its JSON document.
func watchDoc(t *testing.T, load func(), args []string) any {
	t.Helper()
	_, out := watchOut(t, load, args...)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(out)))
	if err != nil {
		t.Fatalf("watch %v: not JSON: %v\n%s", args, err, out)
	}
	return doc
}

// closedPort returns an address of 127.0.0.1 nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/rules"
)

// TestExplainStateRulesExist: every rule a state points to is in the
// catalog.
func TestExplainStateRulesExist(t *testing.T) {
	for _, s := range rules.States() {
		for _, id := range stateRules(s.State) {
			if _, ok := rules.Lookup(id); !ok {
				t.Errorf("%s points to unknown rule %q", s.State, id)
			}
		}
	}
}

func TestExplainUnknownTopic(t *testing.T) {
	var b bytes.Buffer
	err := Explain(&b, "no-such-thing")
	if !errors.Is(err, ErrUnknownTopic) || !strings.Contains(err.Error(), `"no-such-thing"`) || b.Len() != 0 {
		t.Errorf("Explain(no-such-thing) = %v after %q; want ErrUnknownTopic naming it and no output", err, b.String())
	}
}

// TestExplainWrapsAt78: prose is filled to the explain width; only a
// single word longer than it may pass.
func TestExplainWrapsAt78(t *testing.T) {
	var b bytes.Buffer
	if err := Topics(&b); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(b.String(), "\n") {
		if len(l) > wrapWidth && strings.Contains(strings.TrimSpace(l), " ") {
			t.Errorf("line of %d bytes: %q", len(l), l)
		}
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestExplainWriteError: the first write error is returned.
func TestExplainWriteError(t *testing.T) {
	for _, topic := range []string{"CLOSE_WAIT", "net.ipv4.tcp_fin_timeout", "close-wait-accumulation"} {
		if err := Explain(failingWriter{}, topic); err == nil || err.Error() != "disk full" {
			t.Errorf("Explain(%s) to a failing writer: %v, want disk full", topic, err)
		}
	}
	if err := Topics(failingWriter{}); err == nil {
		t.Error("Topics to a failing writer: no error")
	}
}

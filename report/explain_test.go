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

// TestExplainFinTimeoutDoesNotShortenTimeWait: explain TIME_WAIT and explain
// tcp_fin_timeout both say in so many words that tcp_fin_timeout does not
// shorten TIME_WAIT (docs/kernel-facts.md §4, §15 item 1); the text is
// wrapped, so it is compared with its line breaks folded.
func TestExplainFinTimeoutDoesNotShortenTimeWait(t *testing.T) {
	for _, topic := range []string{"TIME_WAIT", "net.ipv4.tcp_fin_timeout"} {
		var b bytes.Buffer
		if err := Explain(&b, topic); err != nil {
			t.Fatal(err)
		}
		if text := strings.Join(strings.Fields(b.String()), " "); !strings.Contains(text, "tcp_fin_timeout does not shorten TIME_WAIT") {
			t.Errorf("explain %s does not say that tcp_fin_timeout does not shorten TIME_WAIT:\n%s", topic, b.String())
		}
	}
}

// TestExplainReadOnlyGlobalKey: explain of a key that child namespaces
// show read-only says so in its scope and its corrections.
func TestExplainReadOnlyGlobalKey(t *testing.T) {
	var b bytes.Buffer
	if err := Explain(&b, "net.core.rmem_max"); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(b.String()), " ")
	for _, want := range []string{"newer kernels (read in 6.12) show it read-only", "only the initial network namespace can change"} {
		if !strings.Contains(text, want) {
			t.Errorf("explain net.core.rmem_max lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(text, "exist in each namespace") {
		t.Errorf("explain net.core.rmem_max still says the key exists in each namespace:\n%s", b.String())
	}
}

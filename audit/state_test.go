package audit

import "testing"

// TestParseStateCodes: the st column's hex codes name states too.
func TestParseStateCodes(t *testing.T) {
	for in, want := range map[string]State{"06": TimeWait, "0x08": CloseWait, "0A": Listen, "0a": Listen, "close-wait": CloseWait, "TIME_WAIT": TimeWait} {
		if got, ok := ParseState(in); !ok || got != want {
			t.Errorf("ParseState(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"00", "0E", "FF", "6", "x", "0x"} {
		if got, ok := ParseState(in); ok {
			t.Errorf("ParseState(%q) = %v, want not ok", in, got)
		}
	}
}

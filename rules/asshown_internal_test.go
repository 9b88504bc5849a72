package rules

import (
	"strconv"
	"testing"
)

// TestAsShownAddsUp: the rate the fix computes with is the rate it prints.
func TestAsShownAddsUp(t *testing.T) {
	for x, want := range map[float64]string{96.96: "97.0", 10: "10.0", 0.25: "0.2", 0.044: "0.044", 0: "0"} {
		v, text := asShown(x)
		if text != want {
			t.Errorf("asShown(%v) text %q, want %q", x, text, want)
		}
		if p, _ := strconv.ParseFloat(text, 64); p != v {
			t.Errorf("asShown(%v) = %v, printed %q", x, v, text)
		}
	}
}

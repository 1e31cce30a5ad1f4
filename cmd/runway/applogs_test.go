package main

import (
	"strings"
	"testing"
)

func TestLastLines(t *testing.T) {
	long := strings.Repeat("x", maxLogLine+100)
	for _, tt := range []struct {
		name, log string
		n         int
		want      string
	}{
		{"fewer lines than asked", "a\nb\n", 5, "a\nb\n"},
		{"the last ones", "a\nb\nc\nd\n", 2, "c\nd\n"},
		{"one", "a\nb\n", 1, "b\n"},
		{"no newline at the end", "a\nb", 1, "b"},
		{"nothing", "", 3, ""},
		{"a long line is cut", "a\n" + long + "\nb\n", 2, strings.Repeat("x", maxLogLine) + " [the rest of this line is cut]\nb\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := lastLines(strings.NewReader(tt.log), tt.n)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %d bytes ending %q, want %d bytes ending %q", len(got), got[max(0, len(got)-60):], len(tt.want), tt.want[max(0, len(tt.want)-60):])
			}
		})
	}
}

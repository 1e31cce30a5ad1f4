package window

import (
	"testing"
	"time"
)

// FuzzCompile feeds Compile arbitrary cron specs, time zones and
// durations, as a person might type them into the configuration. It may
// refuse them, never panic; what it accepts must answer Check and Describe.
// Seeds live in testdata/fuzz/FuzzCompile.
func FuzzCompile(f *testing.F) {
	f.Add("0 9 * * 1-4", "Europe/Berlin", "6h")
	f.Fuzz(func(t *testing.T, cronSpec, zone, dur string) {
		d, _ := time.ParseDuration(dur)
		s := Spec{Name: "fuzz", Cron: cronSpec, TimeZone: zone, Duration: d}
		_ = s.Describe()
		c, err := Compile([]Spec{s})
		if err != nil {
			return
		}
		base := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)
		for _, at := range []time.Time{base, base.Add(211 * 24 * time.Hour)} {
			st := c.Check(2, "production", at)
			if st.Why == "" || (st.Open && !st.NextOpen.IsZero()) || (!st.Open && !st.NextOpen.IsZero() && st.NextOpen.Before(at)) {
				t.Fatalf("Check(%v) = %+v", at, st)
			}
			if !st.Open && !st.NextOpen.IsZero() && !c.Check(2, "production", st.NextOpen).Open {
				t.Fatalf("Check(%v) says releases open at %v, but Check then says closed", at, st.NextOpen)
			}
		}
	})
}

//go:build race

package supervisor_test

// raceEnabled: the race detector's shadow memory does not fit in small
// memory limits, so the instrumented helper cannot be the memory hog.
const raceEnabled = true

package connector

import (
	"time"
)

// Run is the record of one run: what started it, what each step did and
// called, the answer, and the log. Every text in it has the secrets'
// values redacted.
type Run struct {
	ID        string `json:"id"`
	Connector string `json:"connector"`
	// Trigger says what started the run: "POST /contact", "schedule".
	Trigger string `json:"trigger"`
	// Origin is the run that first handled this event; replays keep it,
	// and with it the idempotency keys of their calls.
	Origin string `json:"origin"`
	// ReplayOf is the run this one replays; ReplayedBy the run that
	// replayed this one.
	ReplayOf   string    `json:"replay_of,omitempty"`
	ReplayedBy string    `json:"replayed_by,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	DurationMS int64     `json:"duration_ms"`
	Status     RunStatus `json:"status"`
	// Error says in plain words why a run failed or was rejected.
	Error    string       `json:"error,omitempty"`
	Input    Input        `json:"input"`
	Steps    []StepRecord `json:"steps"`
	Response *Response    `json:"response,omitempty"`
	Logs     []string     `json:"logs"`
}

// RunStatus is how a run ended.
type RunStatus string

// Run statuses. A failed run is a dead letter until it is replayed; a
// rejected one never started its steps (the request was not valid).
const (
	RunOK       RunStatus = "ok"
	RunFailed   RunStatus = "failed"
	RunRejected RunStatus = "rejected"
)

// Dead reports whether r is a dead letter: failed, and not replayed yet.
func (r *Run) Dead() bool { return r.Status == RunFailed && r.ReplayedBy == "" }

// Input is what started a run, as a replay needs it. Headers that carry
// credentials or signatures are left out.
type Input struct {
	Method  string            `json:"method,omitempty"`
	Path    string            `json:"path,omitempty"`
	Query   map[string]string `json:"query,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
	Time    time.Time         `json:"time"`
}

// StepRecord is what one step did. Steps inside a foreach have one record
// per item.
type StepRecord struct {
	ID         string       `json:"id"`
	Kind       string       `json:"kind"`
	Item       *int         `json:"item,omitempty"`
	Status     string       `json:"status"`
	DurationMS int64        `json:"duration_ms"`
	Calls      []CallRecord `json:"calls,omitempty"`
	Output     any          `json:"output,omitempty"`
	Error      string       `json:"error,omitempty"`
}

// CallRecord is one attempt at a call to another service.
type CallRecord struct {
	Method     string `json:"method"`
	Host       string `json:"host"`
	Path       string `json:"path,omitempty"`
	Attempt    int    `json:"attempt"`
	Status     int    `json:"status,omitempty"`
	DurationMS int64  `json:"duration_ms"`
	Error      string `json:"error,omitempty"`
	// Body is what was sent, as data.
	Body any `json:"body,omitempty"`
}

// Response is the answer a run gave to its request.
type Response struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    any               `json:"body,omitempty"`
}

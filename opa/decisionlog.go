package opa

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/runwayhq/runway"
)

// LogEntry is one line of the decision log: enough to prove later which
// policies decided what about which input, for the audit trail.
type LogEntry struct {
	Time        time.Time `json:"time"`
	App         string    `json:"app"`
	Environment string    `json:"environment"`
	// InputDigest is the SHA-256 of the saved policy-input.json.
	InputDigest string    `json:"input_digest"`
	Result      LogResult `json:"result"`
	// Revision identifies the policies and data that decided; Bundles
	// holds the revision each bundle archive declares.
	Revision string            `json:"revision"`
	Bundles  map[string]string `json:"bundles,omitempty"`
}

// LogResult is the decision in a log entry.
type LogResult struct {
	Decision  runway.Decision `json:"decision"`
	Tier      runway.Tier     `json:"tier"`
	Approvals []runway.Role   `json:"approvals_required"`
	// Deny and Warn list the rules, "<package>.<rule>".
	Deny []string `json:"deny"`
	Warn []string `json:"warn"`
	// Exceptions list the rules an exception let through.
	Exceptions []string `json:"exceptions"`
}

// decisionLog writes entries one line at a time, whole lines only, from
// any number of goroutines.
type decisionLog struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *decisionLog) write(at time.Time, d *Decision, inputDigest string, ps *policySet) error {
	if l == nil {
		return nil
	}
	entry := LogEntry{
		Time: at.UTC(), App: d.App, Environment: d.Environment, InputDigest: inputDigest,
		Result:   LogResult{Decision: d.Decision, Tier: d.Tier, Approvals: d.Roles(), Deny: []string{}, Warn: []string{}, Exceptions: []string{}},
		Revision: ps.revision, Bundles: ps.bundles,
	}
	for _, v := range d.Denies {
		entry.Result.Deny = append(entry.Result.Deny, v.Rule)
	}
	for _, v := range d.Warnings {
		entry.Result.Warn = append(entry.Result.Warn, v.Rule)
		if v.Exception != nil {
			entry.Result.Exceptions = append(entry.Result.Exceptions, v.Rule)
		}
	}
	line, err := json.Marshal(entry)
	if err != nil {
		return fmt.Errorf("encode decision log entry: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.w.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("write decision log: %w", err)
	}
	return nil
}

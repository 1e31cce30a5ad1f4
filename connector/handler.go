package connector

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// healthPath answers the platform's health checks.
const healthPath = "/healthz"

// maxBody bounds a request's body.
const maxBody = 1 << 20

// Handler serves the connector's trigger (http and webhook connectors)
// and /healthz. Each request to the trigger's path is one run; its answer
// is the run's: the respond step's, 200 when there is none, 400 for a body
// the input refuses, 401 for a webhook whose signature does not hold, 502
// when a step failed.
func (e *Engine) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+healthPath, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, nil, map[string]any{"ok": true})
	})
	if t := e.c.Trigger; t.Kind != "schedule" {
		mux.HandleFunc(t.Path, e.serveTrigger)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, nil, map[string]any{"error": "There is nothing here. This connector answers " + e.c.Trigger.Method + " " + e.c.Trigger.Path + "."})
	})
	return mux
}

func (e *Engine) serveTrigger(w http.ResponseWriter, r *http.Request) {
	t := e.c.Trigger
	if r.Method != t.Method {
		w.Header().Set("Allow", t.Method)
		writeJSON(w, http.StatusMethodNotAllowed, nil, map[string]any{"error": "This connector answers " + t.Method + " requests only."})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeJSON(w, http.StatusRequestEntityTooLarge, nil, map[string]any{"error": "The request is larger than 1 MiB."})
		return
	case err != nil:
		writeJSON(w, http.StatusBadRequest, nil, map[string]any{"error": "The request could not be read."})
		return
	}
	if err := e.verifyRequest(r.Header, body); err != nil {
		e.logf("refused a %s request to %s: %v", r.Method, r.URL.Path, err)
		writeJSON(w, http.StatusUnauthorized, nil, map[string]any{"error": "Refused: " + err.Error()})
		return
	}
	// A caller that stops waiting does not stop the run halfway: it ends
	// within the engine's RunTimeout, and a failure is a dead letter.
	run := e.Run(context.WithoutCancel(r.Context()), Event{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header, Body: body})
	resp := run.Response
	w.Header().Set("X-Runway-Run", run.ID)
	if s, ok := resp.Body.(string); ok {
		for k, v := range resp.Headers {
			w.Header().Set(k, v)
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		}
		w.WriteHeader(resp.Status)
		io.WriteString(w, s)
		return
	}
	writeJSON(w, resp.Status, resp.Headers, resp.Body)
}

func writeJSON(w http.ResponseWriter, status int, headers map[string]string, body any) {
	for k, v := range headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if body != nil {
		json.NewEncoder(w).Encode(body)
	}
}

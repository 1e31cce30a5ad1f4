package flags

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/runwayhq/runway"
)

// The OpenFeature Remote Evaluation Protocol (OFREP) endpoint.
//
//	POST /ofrep/v1/evaluate/flags/{key}  one flag: 200 success, 400 failure
//	                                    (PARSE_ERROR, INVALID_CONTEXT,
//	                                    TARGETING_KEY_MISSING), 404
//	                                    FLAG_NOT_FOUND
//	POST /ofrep/v1/evaluate/flags        every flag of the key's app and
//	                                    environment, with an ETag; a
//	                                    matching If-None-Match gets 304
//	GET  /ofrep/v1/configuration         the provider configuration
//
// Apps authenticate with a flag key (runway.FlagKey), sent as
// "Authorization: Bearer KEY" or "X-API-Key: KEY": the key alone says
// which app and environment are evaluated. A missing, unknown or revoked
// key gets 401. Store failures get 500 with a generic message.

// HandlerOptions configure the OFREP handler.
type HandlerOptions struct {
	// CacheFor is how long an environment's flags and a key's
	// authentication are reused before they are read again, so that a
	// change, a kill or a revocation reaches every process on the
	// database within it. Zero means DefaultCacheFor; negative reads the
	// store on every request.
	CacheFor time.Duration
	// MaxBody is the largest request body; zero means DefaultMaxBody.
	MaxBody int64
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
	// Logger receives store failures; nil discards them.
	Logger *slog.Logger
}

// Defaults of HandlerOptions.
const (
	DefaultCacheFor = time.Second
	DefaultMaxBody  = 64 << 10
)

// Handler serves OFREP. Mount it at the server's root for the paths under
// /ofrep/v1/; it is safe for concurrent use.
type Handler struct {
	flags runway.FlagStore
	keys  runway.FlagKeyStore
	o     HandlerOptions
	mux   *http.ServeMux
	loads singleflight.Group

	mu        sync.Mutex
	snapshots map[string]cachedSnapshot // by app "/" environment
	keyCache  map[string]cachedKey      // by the secret's hash
}

type cachedSnapshot struct {
	snap *Snapshot
	at   time.Time
}

type cachedKey struct {
	key *runway.FlagKey
	at  time.Time
}

// maxCachedKeys bounds the key cache; past it the cache starts over.
const maxCachedKeys = 10000

// NewHandler returns the OFREP handler over the stores.
func NewHandler(flags runway.FlagStore, keys runway.FlagKeyStore, o HandlerOptions) *Handler {
	if o.CacheFor == 0 {
		o.CacheFor = DefaultCacheFor
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{flags: flags, keys: keys, o: o, mux: http.NewServeMux(),
		snapshots: map[string]cachedSnapshot{}, keyCache: map[string]cachedKey{}}
	h.mux.HandleFunc("POST /ofrep/v1/evaluate/flags/{key}", h.single)
	h.mux.HandleFunc("POST /ofrep/v1/evaluate/flags", h.bulk)
	h.mux.HandleFunc("GET /ofrep/v1/configuration", h.configuration)
	return h
}

// ServeHTTP serves the OFREP paths.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// failure is OFREP's evaluation failure and bulk evaluation failure (Key
// empty), and its general error response (ErrorCode empty too).
type failure struct {
	Key          string    `json:"key,omitempty"`
	ErrorCode    ErrorCode `json:"errorCode,omitempty"`
	ErrorDetails string    `json:"errorDetails"`
}

func (h *Handler) single(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	snap, c, fail, status := h.prepare(w, r)
	if fail != nil {
		fail.Key = key
		writeJSON(w, status, fail)
		return
	}
	e := snap.Evaluate(key, c)
	switch {
	case e.ErrorCode == ErrFlagNotFound:
		writeJSON(w, http.StatusNotFound, failure{Key: key, ErrorCode: e.ErrorCode, ErrorDetails: e.ErrorDetails})
	case e.Failed():
		writeJSON(w, http.StatusBadRequest, failure{Key: key, ErrorCode: e.ErrorCode, ErrorDetails: e.ErrorDetails})
	default:
		writeJSON(w, http.StatusOK, e)
	}
}

// bulkResponse is OFREP's bulk evaluation success.
type bulkResponse struct {
	Flags []any `json:"flags"`
}

func (h *Handler) bulk(w http.ResponseWriter, r *http.Request) {
	snap, c, fail, status := h.prepare(w, r)
	if fail != nil {
		writeJSON(w, status, fail)
		return
	}
	body, err := EncodeBulk(snap.EvaluateAll(c))
	if err != nil {
		h.internal(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	writeTagged(w, r, body)
}

// EncodeBulk encodes evaluations as OFREP's bulk evaluation answer:
// successes and per-flag failures side by side.
func EncodeBulk(evals []Evaluation) ([]byte, error) {
	out := bulkResponse{Flags: make([]any, 0, len(evals))}
	for i := range evals {
		e := &evals[i]
		if e.Failed() {
			out.Flags = append(out.Flags, failure{Key: e.Key, ErrorCode: e.ErrorCode, ErrorDetails: e.ErrorDetails})
			continue
		}
		out.Flags = append(out.Flags, e)
	}
	return json.Marshal(out)
}

// configuration tells providers what this server supports.
func (h *Handler) configuration(w http.ResponseWriter, r *http.Request) {
	if _, fail := h.authenticate(r); fail != nil {
		unauthorized(w, fail)
		return
	}
	interval := max(h.o.CacheFor, time.Second)
	body, _ := json.Marshal(map[string]any{
		"name": "Runway",
		"capabilities": map[string]any{
			"cacheInvalidation": map[string]any{"polling": map[string]any{"enabled": true, "minPollingIntervalMs": interval.Milliseconds()}},
			"flagEvaluation":    map[string]any{"supportedTypes": []string{"boolean", "string", "int", "float", "object"}},
		},
	})
	writeTagged(w, r, body)
}

// prepare authenticates the request, reads its context and loads the
// key's flags; on failure it returns what to answer.
func (h *Handler) prepare(w http.ResponseWriter, r *http.Request) (*Snapshot, Context, *failure, int) {
	key, fail := h.authenticate(r)
	if fail != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="runway flags"`)
		return nil, Context{}, fail, http.StatusUnauthorized
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.o.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, Context{}, &failure{ErrorCode: ErrParse, ErrorDetails: fmt.Sprintf("the request body is over %d bytes", h.o.MaxBody)}, http.StatusBadRequest
		}
		return nil, Context{}, &failure{ErrorCode: ErrParse, ErrorDetails: "the request body could not be read"}, http.StatusBadRequest
	}
	c, perr := ParseRequest(body)
	if perr != nil {
		return nil, Context{}, &failure{ErrorCode: perr.Code, ErrorDetails: perr.Details}, http.StatusBadRequest
	}
	snap, err := h.snapshot(r.Context(), key.App, key.Environment)
	if err != nil {
		h.o.Logger.ErrorContext(r.Context(), "ofrep: load flags", "app", key.App, "environment", key.Environment, "error", err)
		return nil, Context{}, &failure{ErrorDetails: "the flags could not be read; try again"}, http.StatusInternalServerError
	}
	return snap, c, nil, 0
}

// authenticate finds the flag key the request carries.
func (h *Handler) authenticate(r *http.Request) (*runway.FlagKey, *failure) {
	secret := r.Header.Get("X-API-Key")
	if scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		secret = strings.TrimSpace(token)
	}
	if secret == "" {
		return nil, &failure{ErrorDetails: "send the app's flag key as \"Authorization: Bearer KEY\" or \"X-API-Key: KEY\""}
	}
	hash := runway.HashToken(secret)
	now := h.o.Now()
	h.mu.Lock()
	c, ok := h.keyCache[hash]
	h.mu.Unlock()
	if ok && now.Sub(c.at) < h.o.CacheFor {
		return c.key, nil
	}
	k, err := h.keys.AuthenticateFlagKey(r.Context(), secret)
	if err != nil {
		if runway.ErrorCode(err) != runway.EUNAUTHORIZED {
			h.o.Logger.ErrorContext(r.Context(), "ofrep: authenticate", "error", err)
		}
		return nil, &failure{ErrorDetails: runway.ErrorMessage(err)}
	}
	h.mu.Lock()
	if len(h.keyCache) >= maxCachedKeys {
		clear(h.keyCache)
	}
	h.keyCache[hash] = cachedKey{key: k, at: now}
	h.mu.Unlock()
	return k, nil
}

// snapshot returns an environment's prepared flags, read again once they
// are older than CacheFor; concurrent reads of one environment share one
// load.
func (h *Handler) snapshot(ctx context.Context, app string, env runway.Environment) (*Snapshot, error) {
	id := app + "/" + string(env)
	now := h.o.Now()
	h.mu.Lock()
	c, ok := h.snapshots[id]
	h.mu.Unlock()
	if ok && now.Sub(c.at) < h.o.CacheFor {
		return c.snap, nil
	}
	v, err, _ := h.loads.Do(id, func() (any, error) {
		// One caller going away must not fail the others sharing the load.
		snap, err := LoadSnapshot(context.WithoutCancel(ctx), h.flags, app, env)
		if err != nil {
			return nil, err
		}
		h.mu.Lock()
		h.snapshots[id] = cachedSnapshot{snap: snap, at: now}
		h.mu.Unlock()
		return snap, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Snapshot), nil
}

func (h *Handler) internal(w http.ResponseWriter, r *http.Request, err error) {
	h.o.Logger.ErrorContext(r.Context(), "ofrep", "error", err)
	writeJSON(w, http.StatusInternalServerError, failure{ErrorDetails: "internal error"})
}

func unauthorized(w http.ResponseWriter, fail *failure) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="runway flags"`)
	writeJSON(w, http.StatusUnauthorized, fail)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"errorDetails":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// writeTagged answers body with its ETag (a hash of the body: the same
// flags evaluated for the same context give the same tag), or 304 when
// the request's If-None-Match holds that tag.
func writeTagged(w http.ResponseWriter, r *http.Request, body []byte) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	w.Header().Set("ETag", etag)
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// etagMatches reports whether an If-None-Match list holds etag (weakly
// compared, as RFC 9110 asks for If-None-Match) or is "*".
func etagMatches(header, etag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

package connector

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/cel-go/common/types"
)

var httpRequest = &action{
	name: "http.request",
	params: []param{{"url", textParam}, {"method", textParam}, {"headers", textsParam}, {"query", textsParam},
		{"body", anyParam}, {"auth", textParam}},
	secret: optionalSecret,
	output: []field{{"status", types.IntType}, {"ok", types.BoolType}, {"body", types.DynType},
		{"headers", types.NewMapType(types.StringType, types.StringType)}},
	run: runHTTPRequest,
}

var webhookSend = &action{
	name:   "webhook.send",
	params: []param{{"url", textParam}, {"body", anyParam}, {"headers", textsParam}},
	secret: optionalSecret,
	output: []field{{"status", types.IntType}, {"ok", types.BoolType}},
	run:    runWebhookSend,
}

// Headers of webhook.send, the same scheme as Runway's own webhooks.
const (
	headerDelivery  = "X-Runway-Delivery"
	headerTimestamp = "X-Runway-Timestamp"
	headerSignature = "X-Runway-Signature"
)

func runHTTPRequest(ctx context.Context, r *actionRun) (map[string]any, error) {
	u, err := r.url()
	if err != nil {
		return nil, err
	}
	method := strings.ToUpper(r.text("method"))
	if method == "" {
		method = http.MethodGet
	}
	c := &Call{Method: method, URL: u, Header: r.headers("headers"), idempotent: method != http.MethodPost && method != http.MethodPatch}
	if q, ok := r.args["query"].(map[string]any); ok {
		vals := u.Query()
		for k, v := range q {
			vals.Set(k, stringify(v))
		}
		u.RawQuery = vals.Encode()
	}
	if body, ok := r.args["body"]; ok && body != nil {
		if err := c.setBody(body); err != nil {
			return nil, err
		}
	}
	if method != http.MethodGet {
		// Services that honour Idempotency-Key do the work once however
		// often it is retried or replayed; it makes retries safe.
		c.Header.Set("Idempotency-Key", r.key)
		c.idempotent = true
	}
	if err := r.auth(c); err != nil {
		return nil, err
	}
	reply, err := r.do(ctx, c)
	if err != nil {
		return nil, err
	}
	headers := map[string]any{}
	for k := range reply.Header {
		headers[strings.ToLower(k)] = reply.Header.Get(k)
	}
	return map[string]any{"status": int64(reply.Status), "ok": reply.Status < 300, "body": decodeReply(reply.Body), "headers": headers}, nil
}

func runWebhookSend(ctx context.Context, r *actionRun) (map[string]any, error) {
	u, err := r.url()
	if err != nil {
		return nil, err
	}
	c := &Call{Method: http.MethodPost, URL: u, Header: r.headers("headers"), idempotent: true}
	body := r.args["body"]
	if body == nil {
		body = map[string]any{}
	}
	if err := c.setBody(body); err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(r.e.engine.o.Now().Unix(), 10)
	c.Header.Set(headerDelivery, r.key)
	c.Header.Set("Idempotency-Key", r.key)
	c.Header.Set(headerTimestamp, ts)
	if r.secret != "" {
		mac := hmac.New(sha256.New, []byte(r.secret))
		mac.Write([]byte(ts + "."))
		mac.Write(c.raw)
		c.Header.Set(headerSignature, "sha256="+hex.EncodeToString(mac.Sum(nil)))
	}
	reply, err := r.do(ctx, c)
	if err != nil {
		return nil, err
	}
	return map[string]any{"status": int64(reply.Status), "ok": true}, nil
}

// url parses the step's url and finds its integration by host.
func (r *actionRun) url() (*url.URL, error) {
	raw := r.text("url")
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("`%s` is not a web address (https://host/path)", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("the address of %s holds a user name or password; give keys as the integration's secret instead", u.Hostname())
	}
	return u, r.byHost(u)
}

// headers returns a text group argument as HTTP headers.
func (r *actionRun) headers(name string) http.Header {
	h := http.Header{}
	if m, ok := r.args[name].(map[string]any); ok {
		for k, v := range m {
			h.Set(k, stringify(v))
		}
	}
	return h
}

// auth sends the integration's secret the way the step says.
func (r *actionRun) auth(c *Call) error {
	mode := r.text("auth")
	if mode == "" {
		mode = "bearer"
	}
	if r.secret == "" || mode == "none" {
		return nil
	}
	switch {
	case mode == "bearer":
		c.Header.Set("Authorization", "Bearer "+r.secret)
	case mode == "basic":
		c.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(r.secret)))
	case strings.HasPrefix(mode, "header:"):
		c.Header.Set(strings.TrimPrefix(mode, "header:"), r.secret)
	default:
		return fmt.Errorf("auth `%s` is not known: use bearer, basic, none or header:NAME", mode)
	}
	return nil
}

// setBody sends text as it is and anything else as JSON.
func (c *Call) setBody(body any) error {
	if c.Header == nil {
		c.Header = http.Header{}
	}
	c.Body = body
	if s, ok := body.(string); ok {
		c.raw = []byte(s)
		if c.Header.Get("Content-Type") == "" {
			c.Header.Set("Content-Type", "text/plain; charset=utf-8")
		}
		return nil
	}
	data, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("the body cannot be sent as JSON: %v", err)
	}
	c.raw = data
	if c.Header.Get("Content-Type") == "" {
		c.Header.Set("Content-Type", "application/json")
	}
	return nil
}

// decodeReply reads an answer as JSON when it is, as text otherwise.
func decodeReply(body []byte) any {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err == nil && !dec.More() {
		return (*fieldSpec)(nil).normalize(v)
	}
	return string(body)
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/runwayhq/runway"
)

// apiClient talks to a Runway server's /api/v1.
type apiClient struct {
	base  string
	token string
	http  *http.Client
}

// client returns a client for the configured server: RUNWAY_URL (or
// client.url) and RUNWAY_TOKEN, else the token `runway login` kept.
func (a *app) client() (*apiClient, error) {
	base := strings.TrimSuffix(a.cfg.Client.URL, "/")
	if base == "" {
		return nil, runway.Errorf(runway.EINVALID, "Which Runway server? Set RUNWAY_URL (for example export RUNWAY_URL=https://runway.example.com) or client.url in the config file.")
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, runway.Errorf(runway.EINVALID, "RUNWAY_URL %q is not an http(s) address", base)
	}
	token := a.cfg.Client.Token
	if token == "" {
		creds, _ := readCredentials(a.cfg.Client.CredentialsFile)
		token = creds[base]
	}
	if token == "" {
		return nil, runway.Errorf(runway.EUNAUTHORIZED, "You are not signed in to %s: run `runway login`, or set RUNWAY_TOKEN (in CI).", base)
	}
	return &apiClient{base: base, token: token, http: &http.Client{Timeout: 2 * time.Minute}}, nil
}

// do sends a request and decodes the JSON answer into out (when not nil;
// a *string gets the answer as it is).
// An API error becomes a runway.Error with the server's code and message.
func (c *apiClient) do(ctx context.Context, method, path string, in, out any) error {
	if in == nil {
		return c.send(ctx, method, path, "", nil, out)
	}
	data, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return c.send(ctx, method, path, "application/json", bytes.NewReader(data), out)
}

// send is do with a body of any type (an app secret's value is sent as it
// is).
func (c *apiClient) send(ctx context.Context, method, path, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Runway-Client", "cli")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return &runway.Error{Code: runway.EUNAVAILABLE, Message: fmt.Sprintf("cannot reach the Runway server at %s: is it running, and is RUNWAY_URL right?", c.base), Err: err}
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 256<<20))
	if err != nil {
		return &runway.Error{Code: runway.EUNAVAILABLE, Message: "the server's answer was cut off", Err: err}
	}
	if res.StatusCode >= 400 {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(data, &e) != nil || e.Error.Code == "" {
			return runway.Errorf(runway.EUNAVAILABLE, "the server answered %s to %s %s; is RUNWAY_URL a Runway server?", res.Status, method, path)
		}
		return &runway.Error{Code: e.Error.Code, Message: e.Error.Message}
	}
	if out == nil || res.StatusCode == http.StatusNoContent {
		return nil
	}
	if text, ok := out.(*string); ok {
		*text = string(data) // an answer that is not JSON, such as a runbook
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decode the answer to %s %s: %w", method, path, err)
	}
	return nil
}

// readCredentials returns the tokens `runway login` kept, by server URL.
func readCredentials(file string) (map[string]string, error) {
	creds := map[string]string{}
	if file == "" {
		return creds, nil
	}
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return creds, nil
	} else if err != nil {
		return creds, err
	}
	if err := json.Unmarshal(data, &creds); err != nil {
		return map[string]string{}, runway.Errorf(runway.EINVALID, "%s is damaged: delete it and run `runway login` again", file)
	}
	return creds, nil
}

// writeCredentials keeps a token for a server, readable by the user only.
func writeCredentials(file, base, token string) error {
	if file == "" {
		return runway.Errorf(runway.EINVALID, "there is no home folder to keep the token in: set RUNWAY_TOKEN instead")
	}
	creds, err := readCredentials(file)
	if err != nil {
		return err
	}
	creds[base] = token
	data, _ := json.MarshalIndent(creds, "", "  ")
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

// urlPath escapes one segment of an API path.
func urlPath(s string) string { return url.PathEscape(s) }

// query builds a query string from the non-empty values.
func query(kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" && kv[i+1] != "0" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// printJSON writes v indented: the --output json of every command.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/runwayhq/runway"
)

// healthClient checks apps on loopback: no proxy (and so no environment
// read), no redirects followed, no connection kept between checks.
var healthClient = &http.Client{
	Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// Healthy checks the process once: GET http://127.0.0.1:PORT/PATH must
// answer 2xx or 3xx within the health check's timeout (or ctx's deadline,
// if sooner). Without a health path it only checks that the process runs.
// EUNAVAILABLE when it is not healthy.
func (p *Process) Healthy(ctx context.Context) error {
	st := p.Status()
	if st.State != StateRunning && st.State != StateStarting {
		return runway.Errorf(runway.EUNAVAILABLE, "%s is not running (%s)", p.key, st.State)
	}
	if err := p.check(ctx); err != nil {
		return &runway.Error{Code: runway.EUNAVAILABLE, Message: fmt.Sprintf("%s is not healthy", p.key), Err: err}
	}
	return nil
}

// check performs one health check.
func (p *Process) check(ctx context.Context) error {
	hc := p.spec.Health
	if hc.Path == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, hc.Timeout)
	defer cancel()
	target := "http://127.0.0.1:" + strconv.Itoa(p.spec.Port) + hc.Path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "runway-health")
	resp, err := healthClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is said already
		}
		return fmt.Errorf("GET %s: %w", hc.Path, err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		return fmt.Errorf("GET %s answered %s", hc.Path, resp.Status)
	}
	return nil
}

// WaitReady waits until the process is running and healthy. It fails
// (EUNAVAILABLE, with the exit's reason) as soon as the run ends instead,
// so a deployment does not wait for a restart that may crash again; ctx
// bounds the wait.
func (p *Process) WaitReady(ctx context.Context) error {
	for {
		st, changed := p.Watch()
		switch st.State {
		case StateRunning:
			return nil
		case StateStarting:
		default:
			reason := string(st.State)
			if st.LastExit != nil {
				reason = st.LastExit.Reason
			}
			return runway.Errorf(runway.EUNAVAILABLE, "%s did not become ready: %s", p.key, reason)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			msg := fmt.Sprintf("%s was not ready in time", p.key)
			if st.Health.Error != "" {
				msg += " (last health check: " + st.Health.Error + ")"
			}
			return &runway.Error{Code: runway.EUNAVAILABLE, Message: msg, Err: ctx.Err()}
		}
	}
}

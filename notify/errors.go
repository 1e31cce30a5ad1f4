package notify

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/runwayhq/runway"
	"github.com/slack-go/slack"
)

// transient is a delivery failure worth retrying. Its message is written
// here, from parts known to hold no secret; Unwrap gives the network cause
// (never the *url.Error, whose text holds the URL) for errors.Is.
type transient struct {
	msg string
	err error
}

func (e *transient) Error() string { return e.msg }
func (e *transient) Unwrap() error { return e.err }

// permanent returns an EINVALID error: retrying cannot help.
func permanent(format string, args ...any) error {
	return runway.Errorf(runway.EINVALID, format, args...)
}

// sendError classifies err, from a request to dest (such as "the Slack
// webhook"), as permanent or transient, and rewrites its message so that
// it never holds the request URL or any of secrets.
func sendError(dest string, err error, secrets ...string) error {
	var (
		re      *runway.Error
		status  slack.StatusCodeError
		limited *slack.RateLimitedError
		api     slack.SlackErrorResponse
		ue      *url.Error
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &re):
		return &runway.Error{Code: re.Code, Message: dest + ": " + redact(re.Message, secrets)}
	case errors.As(err, &status):
		return statusError(dest, status.Code)
	case errors.As(err, &limited):
		return &transient{msg: fmt.Sprintf("%s is rate limited: retry after %s", dest, limited.RetryAfter)}
	case errors.As(err, &api):
		return slackAPIError(dest, api, secrets)
	case errors.As(err, &ue):
		if ue.Timeout() {
			return &transient{msg: dest + " did not answer in time", err: ue.Err}
		}
		return &transient{msg: dest + ": " + redact(ue.Err.Error(), secrets), err: ue.Err}
	}
	return &transient{msg: dest + ": " + redact(err.Error(), secrets)}
}

// statusError classifies an HTTP status other than success: 408, 429 and
// 5xx are worth retrying, anything else is not.
func statusError(dest string, code int) error {
	text := strings.TrimSpace(fmt.Sprintf("%d %s", code, http.StatusText(code)))
	switch {
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return &transient{msg: fmt.Sprintf("%s answered %s: it is busy or down, try again later", dest, text)}
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return permanent("%s refused the message (%s): check that it is still enabled and that its credentials are current", dest, text)
	case code == http.StatusNotFound || code == http.StatusGone:
		return permanent("%s answered %s: it was removed or disabled; create a new one and update Runway's configuration", dest, text)
	default:
		return permanent("%s refused the message (%s): check its configuration; retrying will not help", dest, text)
	}
}

// slackTransient lists Slack API error codes worth retrying.
var slackTransient = map[string]bool{
	"ratelimited": true, "rate_limited": true, "internal_error": true, "fatal_error": true,
	"service_unavailable": true, "request_timeout": true, "team_added_to_org": true,
}

const reinstall = "the bot token is wrong, expired or revoked: install the Slack app again and update the bot token"

// slackHints says what to do about Slack API error codes.
var slackHints = map[string]string{
	"invalid_auth":       reinstall,
	"not_authed":         reinstall,
	"token_revoked":      reinstall,
	"token_expired":      reinstall,
	"account_inactive":   reinstall,
	"channel_not_found":  "the channel does not exist or the app cannot see it: check the channel ID and invite the app to the channel",
	"not_in_channel":     "the app is not in the channel: invite it with /invite",
	"is_archived":        "the channel is archived: choose another one",
	"expired_trigger_id": "the dialog took too long to open: click the button again",
	"invalid_trigger_id": "the dialog took too long to open: click the button again",
	"user_not_found":     "no such Slack user in this workspace",
}

// slackAPIError classifies an error answer of the Slack Web API.
func slackAPIError(dest string, e slack.SlackErrorResponse, secrets []string) error {
	code := redact(e.Err, secrets)
	if slackTransient[e.Err] {
		return &transient{msg: fmt.Sprintf("%s is unavailable (%s): try again later", dest, code)}
	}
	hint, ok := slackHints[e.Err]
	switch {
	case e.Err == "missing_scope":
		hint = fmt.Sprintf("the Slack app lacks the permission %q: add it under OAuth & Permissions and reinstall the app", redact(e.Needed, secrets))
	case !ok:
		hint = "see Slack's documentation of this error code"
	}
	c := runway.EINVALID
	if e.Err == "user_not_found" {
		c = runway.ENOTFOUND
	}
	return runway.Errorf(c, "%s refused the request (%s): %s", dest, code, hint)
}

// redact replaces each secret in s.
func redact(s string, secrets []string) string {
	for _, v := range secrets {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "[secret]")
		}
	}
	return s
}

// urlSecrets returns the parts of a URL that may be a credential: the URL,
// its path and its query.
func urlSecrets(raw string) []string {
	s := []string{raw}
	if u, err := url.Parse(raw); err == nil {
		s = append(s, u.EscapedPath(), u.Path, u.RawQuery)
	}
	return s
}

package runway

import (
	"errors"
	"fmt"
	"net/http"
)

// Error codes. They are few on purpose: each maps to one HTTP status and one
// CLI exit code, in one table each.
const (
	EINVALID      = "invalid"      // bad input: fix the request and retry
	ENOTFOUND     = "not_found"    // the thing asked for does not exist
	ECONFLICT     = "conflict"     // the request clashes with the current state
	EUNAUTHORIZED = "unauthorized" // no or bad credentials
	EFORBIDDEN    = "forbidden"    // credentials fine, permission missing
	EPOLICY       = "policy"       // a policy blocks the action
	EUNAVAILABLE  = "unavailable"  // a dependency is down or too slow
	EINTERNAL     = "internal"     // a bug or an unexpected failure
)

// Error is an error a person can act on. Message is written for the person
// who will read it; Code says what kind of failure it is. Err, when set, is
// the underlying cause, kept for logs and errors.Is/As.
type Error struct {
	Code    string
	Message string
	Err     error
}

// Error returns the message, followed by the cause when there is one.
func (e *Error) Error() string {
	if e.Err != nil && e.Message != "" {
		return e.Message + ": " + e.Err.Error()
	}
	if e.Err != nil {
		return e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the message of the first *Error in err's chain. Other
// errors get a generic message so internal details do not leak to users.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	default:
		return "Internal error."
	}
}

// httpStatus maps error codes to HTTP statuses: the one table, for the API
// and the web UI alike.
var httpStatus = map[string]int{
	EINVALID:      http.StatusBadRequest,
	ENOTFOUND:     http.StatusNotFound,
	ECONFLICT:     http.StatusConflict,
	EUNAUTHORIZED: http.StatusUnauthorized,
	EFORBIDDEN:    http.StatusForbidden,
	EPOLICY:       http.StatusUnprocessableEntity,
	EUNAVAILABLE:  http.StatusServiceUnavailable,
	EINTERNAL:     http.StatusInternalServerError,
}

// HTTPStatus returns the HTTP status for err's code (500 for an error
// without one, 200 for nil).
func HTTPStatus(err error) int {
	if err == nil {
		return http.StatusOK
	}
	return httpStatus[ErrorCode(err)]
}

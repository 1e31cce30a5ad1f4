package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/runwayhq/runway"
)

// errorBody is the one error shape of the API.
type errorBody struct {
	Error struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		RequestID string `json:"request_id"`
	} `json:"error"`
}

// writeError answers with the error's code and message. Internal errors
// are logged with their cause and answered with a generic message, so
// nothing internal (or secret) reaches the client.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := runway.ErrorCode(err)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		code = runway.EINVALID
		err = runway.Errorf(runway.EINVALID, "the request body is larger than %d bytes", mbe.Limit)
	}
	status := runway.HTTPStatus(err)
	var body errorBody
	body.Error.Code, body.Error.Message, body.Error.RequestID = code, runway.ErrorMessage(err), requestID(r.Context())
	if status >= 500 {
		s.opt.Logger.ErrorContext(r.Context(), "request failed", "request_id", body.Error.RequestID, "error", err.Error())
	}
	if code == runway.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="runway"`)
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// decode reads a JSON body strictly: one object, known fields, within the
// size limit.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, s.opt.MaxBodyBytes)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return runway.Errorf(runway.EINVALID, "the request body is not the JSON this endpoint takes: %v", err)
	}
	if dec.More() {
		return runway.Errorf(runway.EINVALID, "the request body holds more than one JSON value")
	}
	return nil
}

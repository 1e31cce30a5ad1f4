package sqlstore

import (
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/runwayhq/runway"
)

// constraint says which integrity rule a driver error broke, read from the
// driver's error code (never from the message text).
type constraint int

const (
	noConstraint constraint = iota
	uniqueViolation
	foreignKeyViolation
)

func violated(err error) constraint {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return uniqueViolation
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return foreignKeyViolation
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return uniqueViolation
		case "23503":
			return foreignKeyViolation
		}
	}
	return noConstraint
}

// translate turns a driver error into a runway.Error once, at the store
// boundary: conflict for a unique key, not found for a missing row, and
// the given message for the rest.
func translate(err error, conflict, notFound string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows) && notFound != "":
		return &runway.Error{Code: runway.ENOTFOUND, Message: notFound}
	case violated(err) == uniqueViolation && conflict != "":
		return &runway.Error{Code: runway.ECONFLICT, Message: conflict, Err: err}
	}
	return err
}

func unavailable(msg string, err error) error {
	return &runway.Error{Code: runway.EUNAVAILABLE, Message: msg, Err: err}
}

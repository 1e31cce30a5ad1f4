package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/runwayhq/runway"
)

// appendAudit appends the entry that records a change, inside the change's
// transaction: if either fails, neither is written. Reading the head row
// with a lock orders concurrent writers (SQLite has one writer anyway).
func (db *DB) appendAudit(ctx context.Context, tx *sql.Tx, action, subject string, data any) error {
	actor := runway.ActorFrom(ctx)
	if actor == "" {
		return runway.Errorf(runway.EINTERNAL, "%s on %s: no actor in the context, so the change cannot be audited", action, subject)
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	lock := ""
	if db.dialect == Postgres {
		lock = " FOR UPDATE"
	}
	var head runway.AuditHead
	if err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`+lock).Scan(&head.Seq, &head.Hash); err != nil {
		return err
	}
	e := runway.AuditEntry{
		Seq: head.Seq + 1, Time: db.now().UTC().Truncate(time.Microsecond),
		Actor: actor, Action: action, Subject: subject, Data: raw, PrevHash: head.Hash,
	}
	if e.Hash, err = runway.AuditHash(&e); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO audit_entries (seq, at, actor, action, subject, data, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		e.Seq, e.Time.UnixMicro(), e.Actor, e.Action, e.Subject, string(e.Data), e.PrevHash, e.Hash); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, db.rebind(`UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`), e.Seq, e.Hash)
	return err
}

// AuditEntries returns entries in order of Seq, after f.After.
func (db *DB) AuditEntries(ctx context.Context, f runway.AuditFilter) ([]*runway.AuditEntry, error) {
	q := `SELECT seq, at, actor, action, subject, data, prev_hash, hash FROM audit_entries WHERE seq > ?`
	args := []any{f.After}
	if f.Subject != "" {
		q += ` AND subject = ?`
		args = append(args, f.Subject)
	}
	q += ` ORDER BY seq LIMIT ?`
	args = append(args, limit(f.Limit))
	rows, err := db.read.QueryContext(ctx, db.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*runway.AuditEntry
	for rows.Next() {
		var e runway.AuditEntry
		var at int64
		var data string
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Subject, &data, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		e.Time, e.Data = time.UnixMicro(at).UTC(), json.RawMessage(data)
		out = append(out, &e)
	}
	return out, rows.Err()
}

// AuditHead returns the last entry's sequence number and hash.
func (db *DB) AuditHead(ctx context.Context) (runway.AuditHead, error) {
	var h runway.AuditHead
	err := db.read.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&h.Seq, &h.Hash)
	return h, err
}

// Lists return at most maxLimit items; a zero limit asks for defaultLimit.
const (
	defaultLimit = 50
	maxLimit     = 1000
)

func limit(n int) int {
	switch {
	case n <= 0:
		return defaultLimit
	case n > maxLimit:
		return maxLimit
	}
	return n
}

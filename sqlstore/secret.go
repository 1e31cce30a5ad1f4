package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
)

// ServerSecret returns the server's secret of that name (32 random bytes),
// making it on first use. Every process on the database gets the same one.
// Its creation is audited; its value never is.
func (db *DB) ServerSecret(ctx context.Context, name string) ([]byte, error) {
	var value string
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT value FROM server_secrets WHERE name = ?`), name).Scan(&value)
	if err == sql.ErrNoRows {
		var b [32]byte
		rand.Read(b[:])
		err = db.inTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO server_secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`),
				name, hex.EncodeToString(b[:]), db.now().UnixMicro())
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // another process made it first
			}
			return db.appendAudit(ctx, tx, "server_secret.create", "server_secret:"+name, nil)
		})
		if err != nil {
			return nil, fmt.Errorf("make server secret %s: %w", name, err)
		}
		err = db.read.QueryRowContext(ctx, db.rebind(`SELECT value FROM server_secrets WHERE name = ?`), name).Scan(&value)
	}
	if err != nil {
		return nil, fmt.Errorf("read server secret %s: %w", name, err)
	}
	return hex.DecodeString(value)
}

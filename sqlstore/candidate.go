package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/runwayhq/runway"
)

// CreateCandidate records a candidate with the app's next number and sets
// its ID, number and time. The number is taken inside the transaction, so
// concurrent submissions of one app get distinct numbers.
func (db *DB) CreateCandidate(ctx context.Context, c *runway.Candidate) error {
	report, err := json.Marshal(c.Report)
	if err != nil {
		return err
	}
	c.CreatedAt = db.now().UTC().Truncate(time.Microsecond)
	c.Findings = runway.CountFindings(c.Report)
	counts, err := json.Marshal(c.Findings)
	if err != nil {
		return err
	}
	inventory, err := json.Marshal(c.Inventory)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var appID int64
		lock := ""
		if db.dialect == Postgres {
			lock = " FOR UPDATE"
		}
		err := tx.QueryRowContext(ctx, db.rebind(`SELECT id FROM apps WHERE name = ?`+lock), c.App).Scan(&appID)
		if err != nil {
			return translate(err, "", fmt.Sprintf("there is no app named %q: register it first", c.App))
		}
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT COALESCE(MAX(number), 0) + 1 FROM candidates WHERE app_id = ?`), appID).Scan(&c.Number); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, db.rebind(`INSERT INTO candidates (app_id, number, source_digest, decision, tier, submitted_by, report, findings, inventory, sbom_cyclonedx, sbom_spdx, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			appID, c.Number, c.SourceDigest, string(c.Decision), int(c.Tier), c.SubmittedBy, string(report), string(counts), string(inventory),
			string(c.SBOMs.CycloneDX), string(c.SBOMs.SPDX), c.CreatedAt.UnixMicro()).Scan(&c.ID)
		if err != nil {
			return translate(err, fmt.Sprintf("candidate %d of %q was just created by another submission: submit again", c.Number, c.App), "")
		}
		if len(c.Source) > 0 {
			if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO sources (digest, archive, size, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING`),
				c.SourceDigest, c.Source, len(c.Source), c.CreatedAt.UnixMicro()); err != nil {
				return err
			}
			c.HasSource = true
		}
		return db.appendAudit(ctx, tx, "candidate.create", fmt.Sprintf("candidate:%s#%d", c.App, c.Number), map[string]any{
			"source_digest": c.SourceDigest, "decision": c.Decision, "tier": c.Tier, "submitted_by": c.SubmittedBy,
		})
	})
}

// FindCandidate returns a candidate with its report.
func (db *DB) FindCandidate(ctx context.Context, app string, number int) (*runway.Candidate, error) {
	row := db.read.QueryRowContext(ctx, db.rebind(`SELECT c.id, a.name, c.number, c.source_digest, c.decision, c.tier, c.submitted_by, c.created_at, c.findings, c.report, c.inventory,
		EXISTS (SELECT 1 FROM sources s WHERE s.digest = c.source_digest)
		FROM candidates c JOIN apps a ON a.id = c.app_id WHERE a.name = ? AND c.number = ?`), app, number)
	var report, inventory string
	var hasSource bool
	c, err := scanCandidate(row, &report, &inventory, &hasSource)
	if err != nil {
		return nil, translate(err, "", fmt.Sprintf("app %q has no candidate %d", app, number))
	}
	c.HasSource = hasSource
	c.Report = new(runway.Report)
	if err := json.Unmarshal([]byte(report), c.Report); err != nil {
		return nil, fmt.Errorf("candidate %s#%d: stored report: %w", app, number, err)
	}
	if err := json.Unmarshal([]byte(inventory), &c.Inventory); err != nil {
		return nil, fmt.Errorf("candidate %s#%d: stored inventory: %w", app, number, err)
	}
	return c, nil
}

// FindSource returns the source archive with the digest.
func (db *DB) FindSource(ctx context.Context, digest string) ([]byte, error) {
	var archive []byte
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT archive FROM sources WHERE digest = ?`), digest).Scan(&archive)
	return archive, translate(err, "", fmt.Sprintf("the platform holds no source with digest %s: submit the app again with a current runway", digest))
}

// FindSBOM returns one of a candidate's SBOMs.
func (db *DB) FindSBOM(ctx context.Context, app string, number int, format string) ([]byte, error) {
	column := map[string]string{runway.SBOMCycloneDX: "sbom_cyclonedx", runway.SBOMSPDX: "sbom_spdx"}[format]
	if column == "" {
		return nil, runway.Errorf(runway.EINVALID, "SBOM format %q: use cyclonedx or spdx", format)
	}
	var doc string
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT c.`+column+` FROM candidates c JOIN apps a ON a.id = c.app_id WHERE a.name = ? AND c.number = ?`), app, number).Scan(&doc)
	if err != nil {
		return nil, translate(err, "", fmt.Sprintf("app %q has no candidate %d", app, number))
	}
	if doc == "" {
		return nil, runway.Errorf(runway.ENOTFOUND, "candidate %d of %q was submitted without a %s SBOM", number, app, format)
	}
	return []byte(doc), nil
}

// FindCandidates lists candidates newest first; f.After continues a list
// below that ID.
func (db *DB) FindCandidates(ctx context.Context, f runway.CandidateFilter) ([]*runway.Candidate, error) {
	q := `SELECT c.id, a.name, c.number, c.source_digest, c.decision, c.tier, c.submitted_by, c.created_at, c.findings
		FROM candidates c JOIN apps a ON a.id = c.app_id WHERE 1 = 1`
	var args []any
	if f.After > 0 {
		q += ` AND c.id < ?`
		args = append(args, f.After)
	}
	if f.App != "" {
		q += ` AND a.name = ?`
		args = append(args, f.App)
	}
	if f.Decision != "" {
		q += ` AND c.decision = ?`
		args = append(args, string(f.Decision))
	}
	q += ` ORDER BY c.id DESC LIMIT ?`
	args = append(args, limit(f.Limit))
	rows, err := db.read.QueryContext(ctx, db.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*runway.Candidate
	for rows.Next() {
		c, err := scanCandidate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// scanCandidate reads the list columns, then any extra ones.
func scanCandidate(s scanner, extra ...any) (*runway.Candidate, error) {
	var c runway.Candidate
	var decision string
	var tier int
	var created int64
	var counts string
	dest := append([]any{&c.ID, &c.App, &c.Number, &c.SourceDigest, &decision, &tier, &c.SubmittedBy, &created, &counts}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(counts), &c.Findings); err != nil {
		return nil, fmt.Errorf("candidate %d: stored finding counts: %w", c.ID, err)
	}
	c.Decision, c.Tier, c.CreatedAt = runway.Decision(decision), runway.Tier(tier), time.UnixMicro(created).UTC()
	return &c, nil
}

package connector

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"time"

	"github.com/google/cel-go/common/types"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

var postgresQuery = &action{
	name:        "postgres.query",
	params:      []param{{"sql", literalParam}, {"params", listParam}, {"max_rows", intParam}},
	integration: "postgres",
	secret:      requiredSecret,
	output: []field{{"rows", types.NewListType(types.NewMapType(types.StringType, types.DynType))},
		{"count", types.IntType}, {"truncated", types.BoolType}},
	run: runPostgresQuery,
}

const defaultMaxRows = 100

func runPostgresQuery(ctx context.Context, r *actionRun) (map[string]any, error) {
	u, err := url.Parse(r.secret)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("the secret %s of integration %s is not a connection address (postgres://user:password@host/database)", r.integration.Secret, r.integration.Name)
	}
	params, _ := r.args["params"].([]any)
	maxRows := defaultMaxRows
	if n, ok := r.args["max_rows"].(int64); ok {
		maxRows = int(n)
	}
	sql, _ := r.args["sql"].(string)
	c := &Call{Method: "QUERY", URL: &url.URL{Scheme: "postgres", Host: u.Host, Path: u.Path},
		Body: map[string]any{"sql": sql, "params": nonNilList(params)}, conn: r.secret, sql: sql, params: params, maxRows: maxRows}
	reply, err := r.do(ctx, c)
	if err != nil {
		return nil, err
	}
	rows := make([]any, len(reply.Rows))
	for i, row := range reply.Rows {
		rows[i] = row
	}
	return map[string]any{"rows": rows, "count": reply.Count, "truncated": len(rows) == maxRows && reply.Count > int64(maxRows)}, nil
}

// query runs a statement with its parameters on a pool kept per
// connection address; only the declared host is dialled.
func (o *netOutbound) query(ctx context.Context, c *Call) (*Reply, error) {
	pool, err := o.pool(c)
	if err != nil {
		return nil, err
	}
	rows, err := pool.Query(ctx, c.sql, c.params...)
	if err != nil {
		return nil, pgError(c, err)
	}
	defer rows.Close()
	fields := rows.FieldDescriptions()
	var out []map[string]any
	var n int64
	for rows.Next() {
		n++
		if len(out) >= c.maxRows {
			continue
		}
		vals, err := rows.Values()
		if err != nil {
			return nil, pgError(c, err)
		}
		row := make(map[string]any, len(vals))
		for i, v := range vals {
			row[fields[i].Name] = pgValue(v)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, pgError(c, err)
	}
	if len(fields) == 0 {
		n = rows.CommandTag().RowsAffected()
	}
	return &Reply{Rows: out, Count: n}, nil
}

func (o *netOutbound) pool(c *Call) (*pgxpool.Pool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if p, ok := o.pools[c.conn]; ok {
		return p, nil
	}
	cfg, err := pgxpool.ParseConfig(c.conn)
	if err != nil {
		return nil, fmt.Errorf("the connection address in the secret of integration %s cannot be read", c.Integration)
	}
	// The address may name more hosts (host=a,b or ?host=): each must be
	// the declared one.
	hosts := []string{cfg.ConnConfig.Host}
	for _, f := range cfg.ConnConfig.Fallbacks {
		hosts = append(hosts, f.Host)
	}
	for _, h := range hosts {
		if !hostMatches(c.URL.Hostname(), h) {
			return nil, refusef("refused to connect to %s: the secret of integration %s names it, but runway.yaml declares %s", h, c.Integration, c.URL.Hostname())
		}
	}
	cfg.MaxConns = 4
	cfg.ConnConfig.DialFunc = o.dial
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("the database of integration %s cannot be used: %v", c.Integration, err)
	}
	o.pools[c.conn] = pool
	return pool, nil
}

// pgError explains a database failure; one that happened before anything
// was sent may be retried.
func pgError(c *Call, err error) error {
	var pe *pgconn.PgError
	var r *refusal
	switch {
	case errors.As(err, &pe):
		return fmt.Errorf("the database refused the statement: %s (SQLSTATE %s)", pe.Message, pe.Code)
	case errors.As(netError(c.URL.Hostname(), err), &r):
		return r
	case pgconn.SafeToRetry(err):
		return &transient{err: fmt.Errorf("could not reach the database of integration %s: %v", c.Integration, err), sure: true}
	}
	return fmt.Errorf("the database of integration %s failed: %v", c.Integration, err)
}

// pgValue turns a database value into plain data.
func pgValue(v any) any {
	switch x := v.(type) {
	case nil, string, bool, int64, float64, time.Time:
		return x
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case float32:
		return float64(x)
	case []byte:
		return string(x)
	case [16]byte:
		return fmt.Sprintf("%x-%x-%x-%x-%x", x[0:4], x[4:6], x[6:8], x[8:10], x[10:16])
	case pgtype.Numeric:
		if f, err := x.Float64Value(); err == nil && f.Valid {
			return f.Float64
		}
		return nil
	case *big.Int:
		return x.String()
	case map[string]any:
		return x
	case []any:
		for i := range x {
			x[i] = pgValue(x[i])
		}
		return x
	}
	return fmt.Sprint(v)
}

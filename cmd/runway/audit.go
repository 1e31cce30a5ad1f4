package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway"
)

// An audit export is JSON lines: every entry in order, then one line
// {"head": {"seq": N, "hash": "..."}} with the head the server reported.

func (a *app) auditCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Verify and export the audit trail (security, admin)"}
	var out string
	export := &cobra.Command{
		Use: "export", Short: "Write the whole audit trail as JSON lines", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			w := a.out
			if out != "" {
				f, err := os.Create(out)
				if err != nil {
					return runway.Errorf(runway.EINVALID, "cannot write %s: %v", out, err)
				}
				defer f.Close()
				w = f
			}
			head, n, err := c.exportAudit(cmd.Context(), w)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.err, "Exported %d audit entries; head %d %s.\n", n, head.Seq, head.Hash)
			return nil
		},
	}
	export.Flags().StringVar(&out, "out", "", "write to this file instead of standard output")
	var file, expect string
	var verify *cobra.Command
	verify = &cobra.Command{
		Use:   "verify",
		Short: "Check that no audit entry was edited, deleted, reordered or cut off",
		Long: "Check the audit trail's hash chain entry by entry, and that it ends at its head: from the server (RUNWAY_URL), or from an export with --file. " +
			"--head SEQ:HASH, noted from an earlier export or verify, also catches someone who rewrote the end of the trail and its head together.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var want *runway.AuditHead
			if expect != "" {
				h, err := parseHead(expect)
				if err != nil {
					return usageError(cmd, err.Error())
				}
				want = &h
			}
			var got runway.AuditHead
			var err error
			if file != "" {
				got, err = verifyAuditFile(file, want)
			} else {
				var c *apiClient
				if c, err = a.client(); err == nil {
					got, err = c.verifyAudit(cmd.Context(), want)
				}
			}
			if err != nil {
				return &runway.Error{Code: runway.EPOLICY, Message: "The audit trail does not verify", Err: err}
			}
			if o, _ := verify.Flags().GetString("output"); o == "json" {
				return a.printJSON(map[string]any{"verified": true, "head": got})
			}
			fmt.Fprintf(a.out, "The audit trail verifies: %d entries, head %d:%s\n", got.Seq, got.Seq, got.Hash)
			return nil
		},
	}
	verify.Flags().StringVar(&file, "file", "", "verify this export instead of the server's trail")
	verify.Flags().StringVar(&expect, "head", "", "SEQ:HASH of an entry the trail must still hold")
	outputFlag(verify)
	cmd.AddCommand(export, verify)
	return cmd
}

func parseHead(s string) (runway.AuditHead, error) {
	seq, hash, ok := strings.Cut(s, ":")
	n, err := strconv.ParseInt(seq, 10, 64)
	if !ok || err != nil || n < 1 || len(hash) != 64 {
		return runway.AuditHead{}, fmt.Errorf("--head must be SEQ:HASH, such as 42:%s", strings.Repeat("0", 64))
	}
	return runway.AuditHead{Seq: n, Hash: hash}, nil
}

// walkAudit calls fn for every entry of the server's trail, in order.
func (c *apiClient) walkAudit(ctx context.Context, fn func(*runway.AuditEntry) error) (runway.AuditHead, error) {
	var head runway.AuditHead
	if err := c.do(ctx, "GET", "/api/v1/audit/head", nil, &head); err != nil {
		return head, err
	}
	for after := int64(0); ; {
		var p page[*runway.AuditEntry]
		if err := c.do(ctx, "GET", "/api/v1/audit"+query("after", strconv.FormatInt(after, 10), "limit", "1000"), nil, &p); err != nil {
			return head, err
		}
		for _, e := range p.Items {
			if err := fn(e); err != nil {
				return head, err
			}
			after = e.Seq
		}
		if p.Next == nil {
			return head, nil
		}
	}
}

func (c *apiClient) exportAudit(ctx context.Context, w io.Writer) (runway.AuditHead, int, error) {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	n := 0
	head, err := c.walkAudit(ctx, func(e *runway.AuditEntry) error { n++; return enc.Encode(e) })
	if err != nil {
		return head, n, err
	}
	if err := enc.Encode(map[string]runway.AuditHead{"head": head}); err != nil {
		return head, n, err
	}
	return head, n, bw.Flush()
}

func (c *apiClient) verifyAudit(ctx context.Context, want *runway.AuditHead) (runway.AuditHead, error) {
	var v auditCheck
	head, err := c.walkAudit(ctx, v.next)
	if err != nil {
		return v.Verified(), err
	}
	return v.end(head, want)
}

// auditCheck verifies a trail and remembers the hash of the entry --head
// names.
type auditCheck struct {
	runway.AuditVerifier
	seen map[int64]string
}

func (v *auditCheck) next(e *runway.AuditEntry) error {
	if v.seen == nil {
		v.seen = map[int64]string{}
	}
	v.seen[e.Seq] = e.Hash
	return v.Next(e)
}

func (v *auditCheck) end(head runway.AuditHead, want *runway.AuditHead) (runway.AuditHead, error) {
	if err := v.End(head); err != nil {
		return v.Verified(), err
	}
	if want != nil && v.seen[want.Seq] != want.Hash {
		return v.Verified(), fmt.Errorf("entry %d no longer has the hash %.12s noted earlier: the trail was rewritten from there on", want.Seq, want.Hash)
	}
	return v.Verified(), nil
}

// verifyAuditFile checks an export.
func verifyAuditFile(file string, want *runway.AuditHead) (runway.AuditHead, error) {
	f, err := os.Open(file)
	if err != nil {
		return runway.AuditHead{}, runway.Errorf(runway.EINVALID, "cannot read %s: %v", file, err)
	}
	defer f.Close()
	var v auditCheck
	head, err := readAuditExport(f, v.next)
	if err != nil {
		return v.Verified(), err
	}
	return v.end(head, want)
}

// readAuditExport reads an export, calling fn for each entry, and returns
// the head line. Lines are at most 16 MiB.
func readAuditExport(r io.Reader, fn func(*runway.AuditEntry) error) (runway.AuditHead, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	line := 0
	var head *runway.AuditHead
	for sc.Scan() {
		line++
		if head != nil {
			return runway.AuditHead{}, fmt.Errorf("line %d: entries after the head line", line)
		}
		var rec struct {
			Head *runway.AuditHead `json:"head"`
			runway.AuditEntry
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return runway.AuditHead{}, fmt.Errorf("line %d is not an audit entry: %v", line, err)
		}
		if rec.Head != nil {
			head = rec.Head
			continue
		}
		if err := fn(&rec.AuditEntry); err != nil {
			return runway.AuditHead{}, err
		}
	}
	if err := sc.Err(); err != nil {
		return runway.AuditHead{}, fmt.Errorf("line %d: %v", line+1, err)
	}
	if head == nil {
		return runway.AuditHead{}, fmt.Errorf("the export has no head line at its end: it was cut off")
	}
	return *head, nil
}

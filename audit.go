package runway

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// AuditEntry is one line of the audit trail: who did what to which thing,
// and when. Entries form a hash chain: each Hash covers the previous entry's
// Hash and this entry's canonical encoding, so editing, deleting or
// reordering any entry breaks every hash after it.
type AuditEntry struct {
	Seq      int64           `json:"seq"` // 1, 2, ... with no gaps
	Time     time.Time       `json:"time"`
	Actor    string          `json:"actor"`   // "user:ana@example.com", "token:12", "system"
	Action   string          `json:"action"`  // "app.create", "candidate.create", ...
	Subject  string          `json:"subject"` // "app:payroll", "candidate:payroll#3", ...
	Data     json.RawMessage `json:"data"`    // what changed; never a secret's value
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

// AuditGenesis is the PrevHash of the first entry.
const AuditGenesis = "0000000000000000000000000000000000000000000000000000000000000000"

// AuditHash returns the hash an entry must carry: SHA-256 over the previous
// hash and the entry's canonical encoding (every field but the hashes, each
// length-prefixed; the time in UTC with nanoseconds; Data as compact JSON).
func AuditHash(e *AuditEntry) (string, error) {
	data, err := canonicalJSON(e.Data)
	if err != nil {
		return "", fmt.Errorf("audit entry %d: data: %w", e.Seq, err)
	}
	h := sha256.New()
	field := func(b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	field([]byte(e.PrevHash))
	field(fmt.Appendf(nil, "%d", e.Seq))
	field([]byte(e.Time.UTC().Format(time.RFC3339Nano)))
	field([]byte(e.Actor))
	field([]byte(e.Action))
	field([]byte(e.Subject))
	field(data)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// canonicalJSON compacts JSON and orders object keys, so that the same data
// always hashes the same whichever database stored it.
func canonicalJSON(raw json.RawMessage) ([]byte, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return []byte("null"), nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(v) // maps marshal with sorted keys
}

// AuditHead is the last entry of a chain: its sequence number and hash.
// Kept beside the chain and in exports, it is what reveals truncation.
type AuditHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// AuditVerifier checks a chain entry by entry, in order. The zero value
// expects the chain to start at the genesis.
type AuditVerifier struct {
	last AuditHead
}

// Next checks the next entry. The error says which entry is wrong and how.
func (v *AuditVerifier) Next(e *AuditEntry) error {
	want, prev := v.last.Seq+1, v.Verified().Hash
	switch {
	case e.Seq < want:
		return &Error{Code: EINVALID, Message: fmt.Sprintf("audit entry %d comes after entry %d: the trail was reordered or an entry duplicated", e.Seq, v.last.Seq)}
	case e.Seq > want:
		return &Error{Code: EINVALID, Message: fmt.Sprintf("audit entries %d to %d are missing: they were deleted", want, e.Seq-1)}
	case e.PrevHash != prev:
		return &Error{Code: EINVALID, Message: fmt.Sprintf("audit entry %d does not follow entry %d (previous hash %s, expected %s): an entry was replaced", e.Seq, v.last.Seq, short(e.PrevHash), short(prev))}
	}
	got, err := AuditHash(e)
	if err != nil {
		return &Error{Code: EINVALID, Message: fmt.Sprintf("audit entry %d cannot be hashed", e.Seq), Err: err}
	}
	if got != e.Hash {
		return &Error{Code: EINVALID, Message: fmt.Sprintf("audit entry %d was edited: its content does not match its hash %s", e.Seq, short(e.Hash))}
	}
	v.last = AuditHead{Seq: e.Seq, Hash: e.Hash}
	return nil
}

// End checks that the chain ended at the expected head: an entry past it
// that was cut off, or a head that was rewound, is truncation.
func (v *AuditVerifier) End(head AuditHead) error {
	last := v.Verified()
	if last.Seq < head.Seq {
		return &Error{Code: EINVALID, Message: fmt.Sprintf("the audit trail ends at entry %d but its head is entry %d: entries %d to %d were cut off", last.Seq, head.Seq, last.Seq+1, head.Seq)}
	}
	if last != head {
		return &Error{Code: EINVALID, Message: fmt.Sprintf("the audit trail ends at entry %d (%s) but its head says entry %d (%s): the head or the last entries were changed", last.Seq, short(last.Hash), head.Seq, short(head.Hash))}
	}
	return nil
}

// Verified returns how far the verifier got: the genesis before any entry.
func (v *AuditVerifier) Verified() AuditHead {
	if v.last.Hash == "" {
		return AuditHead{Hash: AuditGenesis}
	}
	return v.last
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

// AuditFilter narrows a read of the trail.
type AuditFilter struct {
	Subject string // exact subject; "" for all
	Page           // After is a Seq
}

// AuditLog reads the audit trail. Entries are appended only by the stores,
// in the transaction of the change they record.
type AuditLog interface {
	// AuditEntries returns entries in order of Seq.
	AuditEntries(ctx context.Context, f AuditFilter) ([]*AuditEntry, error)
	// AuditHead returns the last entry's sequence number and hash.
	AuditHead(ctx context.Context) (AuditHead, error)
}

type actorKey struct{}

// WithActor returns a context that names who acts: stores write it into the
// audit entries of the changes made with it.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// ActorFrom returns who acts in ctx, or "" when nobody was named.
func ActorFrom(ctx context.Context) string {
	a, _ := ctx.Value(actorKey{}).(string)
	return a
}

// VerifyAudit reads the whole trail page by page and checks every link and
// the head. It returns how far the trail verified; the error names the
// first entry that is wrong and how.
func VerifyAudit(ctx context.Context, log AuditLog) (AuditHead, error) {
	head, err := log.AuditHead(ctx)
	if err != nil {
		return AuditHead{}, err
	}
	var v AuditVerifier
	for after := int64(0); ; {
		page, err := log.AuditEntries(ctx, AuditFilter{Page: Page{After: after, Limit: 1000}})
		if err != nil {
			return v.Verified(), err
		}
		for _, e := range page {
			if err := v.Next(e); err != nil {
				return v.Verified(), err
			}
			after = e.Seq
		}
		if len(page) < 1000 {
			return v.Verified(), v.End(head)
		}
	}
}

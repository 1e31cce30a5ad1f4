package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/runwayhq/runway"
)

// auditPage is the audit trail's data.
type auditPage struct {
	Subject string
	Entries []*runway.AuditEntry
	// Next is the link to later entries, "" at the end; First links to the
	// start of the trail and Latest to its last page.
	Next, First, Latest string
}

func (u *UI) audit(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	d := auditPage{Subject: strings.TrimSpace(q.Get("subject"))}
	after, err := cursor(q.Get("after"))
	if err != nil {
		return err
	}
	entries, err := u.opt.Store.AuditEntries(r.Context(), runway.AuditFilter{Subject: d.Subject, Page: runway.Page{After: after, Limit: pageSize + 1}})
	if err != nil {
		return err
	}
	if len(entries) > pageSize {
		entries = entries[:pageSize]
		d.Next = link("/audit", "subject", d.Subject, "after", strconv.FormatInt(entries[pageSize-1].Seq, 10))
	}
	d.Entries = entries
	if after > 0 {
		d.First = link("/audit", "subject", d.Subject)
	}
	// The trail reads oldest first; without a filter the head tells where
	// its last page starts.
	if d.Subject == "" {
		head, err := u.opt.Store.AuditHead(r.Context())
		if err != nil {
			return err
		}
		if last := head.Seq - pageSize; last > after && d.Next != "" {
			d.Latest = link("/audit", "after", strconv.FormatInt(last, 10))
		}
	}
	v.Title, v.Nav, v.Data = "Audit trail", "audit", d
	u.render(w, r, http.StatusOK, "audit", v)
	return nil
}

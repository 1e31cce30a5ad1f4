package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/jobs"
)

// verifyAuditJob checks the whole audit trail in the background, once an
// hour, on whichever `runway up` process picks it up. The result is the
// runway_audit_chain_verified gauge (1 verified, 0 broken) and, when it
// breaks, an error log naming the first bad entry.
type verifyAuditJob struct{}

// Kind names the job in the queue.
func (verifyAuditJob) Kind() string { return "audit.verify" }

// auditVerifyEvery is how often the trail is verified.
const auditVerifyEvery = time.Hour

// scheduleAuditVerify registers the job and makes sure one run is
// scheduled; a unique job keeps several processes from scheduling one each.
func (s *server) scheduleAuditVerify(ctx context.Context, reg prometheus.Registerer) error {
	ok := prometheus.NewGauge(prometheus.GaugeOpts{Name: "runway_audit_chain_verified", Help: "1 when the last background verification of the audit trail passed, 0 when it found a break."})
	entries := prometheus.NewGauge(prometheus.GaugeOpts{Name: "runway_audit_chain_entries", Help: "Entries the last background verification of the audit trail checked."})
	reg.MustRegister(ok, entries)
	err := jobs.Register(s.queue, func(ctx context.Context, _ verifyAuditJob) error {
		head, err := runway.VerifyAudit(ctx, s.store)
		entries.Set(float64(head.Seq))
		if err != nil && runway.ErrorCode(err) == runway.EINVALID {
			ok.Set(0)
			s.log.ErrorContext(ctx, "the audit trail does not verify", "error", err.Error(), "verified_up_to", head.Seq)
		} else if err != nil {
			return err // the database is down: retry
		} else {
			ok.Set(1)
		}
		_, err = s.queue.Enqueue(ctx, verifyAuditJob{}, &jobs.EnqueueOptions{Unique: true, RunAt: time.Now().Add(auditVerifyEvery)})
		return err
	})
	if err != nil {
		return err
	}
	_, err = s.queue.Enqueue(ctx, verifyAuditJob{}, &jobs.EnqueueOptions{Unique: true})
	return err
}

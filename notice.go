package runway

import (
	"context"
	"time"
)

// NoticeKind says what a notice is about.
type NoticeKind string

// Notice kinds.
const (
	// NoticeApprovalNeeded asks approvers to decide on a promotion.
	NoticeApprovalNeeded NoticeKind = "approval.needed"
	// NoticeApprovalReminder reminds approvers before a request expires.
	NoticeApprovalReminder NoticeKind = "approval.reminder"
	// NoticePromotionOutcome tells the requester how their request ended
	// (started, scheduled, rejected, voided, expired).
	NoticePromotionOutcome NoticeKind = "promotion.outcome"
	// NoticeBreakGlass announces an emergency release loudly.
	NoticeBreakGlass NoticeKind = "promotion.break_glass"
	// NoticeAccessRequested asks approvers to decide on elevated access.
	NoticeAccessRequested NoticeKind = "access.requested"
	// NoticeAccessOutcome tells the requester how their access request
	// ended.
	NoticeAccessOutcome NoticeKind = "access.outcome"
	// NoticeDeployment tells the owners how a deployment ended (live,
	// failed, rolled back, with the reason).
	NoticeDeployment NoticeKind = "deployment"
)

// Notice is a message for people: approvers, a requester, the security
// channel. It never holds a secret; every field may be shown anywhere.
type Notice struct {
	Kind NoticeKind `json:"kind"`
	// Title is one line in plain words; Text says more, one sentence per
	// line.
	Title string   `json:"title"`
	Text  []string `json:"text"`
	// URL is the page where the reader acts (the web approval page).
	URL string `json:"url"`
	// App, Team, Environment, Tier and Candidate describe what it is about.
	App         string      `json:"app,omitempty"`
	Team        string      `json:"team,omitempty"`
	Environment Environment `json:"environment,omitempty"`
	Tier        Tier        `json:"tier,omitempty"`
	Candidate   int         `json:"candidate,omitempty"`
	// PromotionID is the promotion a reader can approve or reject from the
	// message (0: the message has no buttons).
	PromotionID int64 `json:"promotion_id,omitempty"`
	// AccessID is the access request the notice is about.
	AccessID int64 `json:"access_id,omitempty"`
	// Findings summarises the candidate's open findings.
	Findings *FindingCounts `json:"findings,omitempty"`
	// SBOMChange summarises what changed in the SBOM since production.
	SBOMChange string `json:"sbom_change,omitempty"`
	// Requested lists the roles asked to act; To lists people
	// ("user:EMAIL") the notice is for, when it is for someone in
	// particular.
	Requested []Role   `json:"requested,omitempty"`
	To        []string `json:"to,omitempty"`
	// Actor is who caused it.
	Actor string    `json:"actor,omitempty"`
	At    time.Time `json:"at"`
}

// NonceStore remembers values seen once, to refuse replays.
type NonceStore interface {
	// ClaimNonce records key until expires and reports whether it was new;
	// false means it was seen before (a replay).
	ClaimNonce(ctx context.Context, key string, expires time.Time) (bool, error)
}

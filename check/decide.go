package check

import (
	"context"
	"fmt"

	"github.com/runwayhq/runway"
)

// StatusDecider decides from the checks alone: blocked when a check failed
// or errored or a finding blocks, pass otherwise. The tier follows the
// declared risk. It is the gate's rule until a policy engine is wired in.
type StatusDecider struct{}

// Decide implements runway.Decider.
func (StatusDecider) Decide(_ context.Context, ws *runway.Workspace, r *runway.Report) error {
	r.Decision = runway.DecisionPass
	for _, c := range r.Checks {
		if c.Status == runway.StatusFail || c.Status == runway.StatusError {
			r.Decision = runway.DecisionBlocked
		}
	}
	if len(r.Blocking()) > 0 {
		r.Decision = runway.DecisionBlocked
	}
	r.Tier, r.Risk = declaredTier(ws.Manifest)
	return nil
}

// declaredTier maps the declared risk to a tier; without a valid manifest
// nothing is known, so the tier is the highest.
func declaredTier(m *runway.Manifest) (runway.Tier, runway.Risk) {
	if m == nil {
		return 3, runway.Risk{Effective: runway.RiskHigh, Reasons: []string{"runway.yaml could not be read, so the app is treated as high risk → tier 3"}}
	}
	tier := map[runway.RiskLevel]runway.Tier{runway.RiskLow: 1, runway.RiskMedium: 2, runway.RiskHigh: 3}[m.Risk]
	return tier, runway.Risk{
		Declared:  m.Risk,
		Effective: m.Risk,
		Reasons:   []string{fmt.Sprintf("declared risk %s → tier %d", m.Risk, tier)},
	}
}

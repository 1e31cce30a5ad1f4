package rollout

import "math"

// versus is the comparison with the stable version, on the requests both
// versions serve at the same time. It looks only at bad outcomes (failed
// or slow requests) and asks which version each one came from. If the
// canary were no worse than the stable version (within the tolerance), a
// bad outcome would come from the canary at most as often as the
// canary's share of the traffic allows: with 20% of the requests and a
// 25% tolerance, at most 23.8% of the time. Betting on "canary" at those
// odds turns a canary that is worse into winnings, while whatever hits
// both versions alike — an outage of a shared database, a busy hour —
// cancels out (Lindon, Sanden and Shirikian 2022 use the same
// conditioning for count data).
type versus struct {
	prior          float64 // the SLO's rate: one pseudo bad outcome at it on each side
	tolerance      float64
	kc, nc, ks, ns float64 // bad outcomes and requests, canary and stable
	logW           float64
}

// maxTheta caps the share of bad outcomes the bettor expects from the
// canary, so that one bad outcome of the stable version never costs it
// more than a factor 20.
const maxTheta = 0.95

// observe plays one request of the given version; w is the canary's
// share of the traffic, fixed before the outcome is known.
func (v *versus) observe(canary, bad bool, w float64) {
	if bad && w > 0 && w < 1 {
		wt := w * (1 + v.tolerance)
		null := wt / (wt + 1 - w)
		if rho := v.ratio(); rho > 1+v.tolerance && null < maxTheta {
			a := w * rho
			theta := min(a/(a+1-w), maxTheta)
			if canary {
				v.logW += math.Log(theta / null)
			} else {
				v.logW += math.Log1p(-theta) - math.Log1p(-null)
			}
		}
	}
	if canary {
		v.nc++
		if bad {
			v.kc++
		}
	} else {
		v.ns++
		if bad {
			v.ks++
		}
	}
}

// ratio estimates how many times as often the canary's requests go bad
// as the stable version's.
func (v *versus) ratio() float64 {
	n0 := 1 / v.prior
	return ((v.kc + 1) / (v.nc + n0)) / ((v.ks + 1) / (v.ns + n0))
}

func (v *versus) evidence() float64 { return math.Exp(v.logW) }

// ceiling tests the canary against the SLO: "the canary goes bad at most
// as often as the SLO allows, or as the stable version does when that is
// more". The stable version's share comes from an upper confidence bound
// over its requests (the baseline and the live ones) and a few pseudo
// requests at the SLO's rate, so that a stable version with little
// traffic counts as meeting its SLO.
type ceiling struct {
	rate   float64 // the SLO's share
	alpha  float64 // risk of the bound on the stable version
	sk, sn float64 // the stable version's bad outcomes and outcomes, pseudo ones included
	at     float64 // sn when the bound was computed (-1: never)
	bound  float64
	null   float64 // max(rate, bound): what the canary bets against
	// The stable version's recent outcomes (a memory of about 32) and its
	// last one: while it goes bad too, the canary is not blamed.
	rk, rn  float64
	lastBad bool
	// paired: the stream is probes, sent to both versions at once, so a
	// failure of the stable version's last probe already means "shared".
	paired bool
	canary pair
}

// pseudoBad is how many bad outcomes at the SLO's rate the stable version
// starts with.
const pseudoBad = 3

func newCeiling(rate, alpha float64) ceiling {
	c := ceiling{rate: rate, alpha: alpha, sk: pseudoBad, sn: pseudoBad / rate, at: -1, canary: newPair()}
	c.refresh()
	return c
}

// stable learns outcomes of the stable version.
func (c *ceiling) stable(bad, good int) {
	c.sk += float64(bad)
	c.sn += float64(bad + good)
	if bad+good == 1 {
		const keep = 1 - 1.0/32
		c.rk, c.rn = c.rk*keep, c.rn*keep+1
		if bad == 1 {
			c.rk++
		}
		c.lastBad = bad == 1
	}
	if bad > 0 || c.sn >= c.at*(1+1.0/16) {
		c.refresh()
	}
}

func (c *ceiling) refresh() {
	c.at = c.sn
	c.bound = upperBound(c.sk, c.sn, c.alpha)
	c.null = max(c.rate, c.bound)
}

// shared says whether the stable version is going bad right now too, at
// least five times in its last 32 or so outcomes and at twice the rate the
// canary is held to: then something both versions share is failing, and
// a bad canary outcome says little about the canary.
func (c *ceiling) shared() bool {
	return c.rk >= 5 && c.rk >= 2*c.null*c.rn
}

// observe plays one outcome of the canary. Skipping a bet is decided
// before the outcome, so the wealth stays an e-process.
func (c *ceiling) observe(bad bool) {
	if c.shared() || c.paired && c.lastBad {
		c.canary.learn(bad)
		return
	}
	c.canary.bet(bad, c.null)
}

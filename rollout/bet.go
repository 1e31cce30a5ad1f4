package rollout

import "math"

// bettor is one gambler in a test by betting: before each outcome it
// stakes part of its wealth on "bad" (a failed or slow request, a failed
// probe) at the odds a fair game would offer if the bad share were
// exactly null. Its wealth, kept as a logarithm, is an e-process: when the
// true bad share is at most null, the chance that it ever reaches x
// times its starting wealth is at most 1/x, however long the game runs
// and however often someone looks (Ville's inequality).
//
// The stake follows the bettor's own estimate of the bad share, made
// from the outcomes it has already seen (plus prior pseudo-outcomes at the
// null rate): it bets only while that estimate is above null, so a good
// version costs it nothing. keep < 1 forgets old outcomes (each one
// counts keep times less after every new one), which makes a bettor that
// reacts to a version that breaks suddenly after a good start.
type bettor struct {
	keep  float64 // memory: 1 remembers everything
	prior float64 // pseudo-outcomes at the null rate
	bad   float64 // remembered bad outcomes
	n     float64 // remembered outcomes
	logW  float64 // log of the wealth
}

// estimate is the bettor's guess of the bad share, before the next
// outcome.
func (b *bettor) estimate(null float64) float64 {
	return (b.bad + b.prior*null) / (b.n + b.prior)
}

// bet plays one round against null, which must be fixed before the
// outcome is known, then learns the outcome.
func (b *bettor) bet(bad bool, null float64) {
	if q := b.estimate(null); q > null && null > 0 && null < 1 {
		if bad {
			b.logW += math.Log(q / null)
		} else {
			b.logW += math.Log1p(-q) - math.Log1p(-null)
		}
	}
	b.learn(bad)
}

// learn remembers an outcome without betting on it.
func (b *bettor) learn(bad bool) {
	b.bad *= b.keep
	b.n *= b.keep
	if bad {
		b.bad++
	}
	b.n++
}

// pair is two bettors sharing their wealth half and half: one with a long
// memory, best at a version that is a little worse all along, one with a
// short memory, best at a version that breaks all at once. The average
// of two e-processes is an e-process, so the pair costs a factor 2 in
// the threshold and gains the better of both.
type pair struct {
	slow, fast bettor
}

func newPair() pair {
	return pair{
		slow: bettor{keep: 1, prior: 2},
		fast: bettor{keep: 1 - 1.0/8, prior: 2},
	}
}

func (p *pair) bet(bad bool, null float64) {
	p.slow.bet(bad, null)
	p.fast.bet(bad, null)
}

func (p *pair) learn(bad bool) {
	p.slow.learn(bad)
	p.fast.learn(bad)
}

// evidence is the pair's e-value: its wealth, starting from 1.
func (p *pair) evidence() float64 {
	return (math.Exp(p.slow.logW) + math.Exp(p.fast.logW)) / 2
}

// upperBound is the upper end of a confidence sequence for the bad share
// of a version that showed bad outcomes out of n: with probability at
// least 1-alpha, the true share is below the bound at every moment at
// once, however often it is computed. It is Robbins' beta-binomial
// mixture (Robbins 1970; Howard et al. 2021): the shares p whose
// likelihood is not 1/alpha times smaller than that of a uniform mixture
// of all shares. bad and n may be fractional (prior pseudo-outcomes).
func upperBound(bad, n, alpha float64) float64 {
	if n <= 0 || bad >= n {
		return 1
	}
	// log of the mixture's likelihood: Beta(bad+1, n-bad+1).
	lg := func(x float64) float64 { v, _ := math.Lgamma(x); return v }
	level := math.Log(alpha) + lg(bad+1) + lg(n-bad+1) - lg(n+2)
	loglik := func(p float64) float64 {
		l := (n - bad) * math.Log1p(-p)
		if bad > 0 {
			l += bad * math.Log(p)
		}
		return l
	}
	lo, hi := bad/n, 1.0
	for range 60 {
		mid := (lo + hi) / 2
		if loglik(mid) >= level {
			lo = mid
		} else {
			hi = mid
		}
		if hi-lo < 1e-6*hi {
			break
		}
	}
	return hi
}

package rollout

import (
	"math"
	"math/rand/v2"
	"testing"
)

// factor is what one bet multiplies a bettor's wealth by, for an outcome.
func factor(b bettor, bad bool, null float64) float64 {
	before := b.logW
	b.bet(bad, null)
	return math.Exp(b.logW - before)
}

// TestBetsAreFairUnderTheClaim checks the heart of the method: whatever a
// bettor has seen, when the canary's true bad share p is at most the null
// it bets against, one bet multiplies its wealth by at most 1 on average
// (exactly 1 at p = null). That makes the wealth a supermartingale, and
// Ville's inequality bounds the chance it ever reaches 1/alpha.
func TestBetsAreFairUnderTheClaim(t *testing.T) {
	for _, null := range []float64{0.001, 0.01, 0.05, 0.3} {
		for _, seen := range [][2]float64{{0, 0}, {1, 3}, {5, 10}, {40, 41}, {2, 1000}} {
			for _, keep := range []float64{1, 7.0 / 8} {
				b := bettor{keep: keep, prior: 2, bad: seen[0], n: seen[1]}
				up, down := factor(b, true, null), factor(b, false, null)
				for _, p := range []float64{0, null / 2, null} {
					mean := p*up + (1-p)*down
					if mean > 1+1e-12 || p == null && math.Abs(mean-1) > 1e-12 {
						t.Errorf("null %g, seen %v, keep %g: a bet at p=%g multiplies wealth by %g on average", null, seen, keep, p, mean)
					}
				}
			}
		}
	}
}

// TestComparisonIsFairUnderTheClaim checks the same for the comparison
// with the stable version: when a bad outcome is the canary's with
// probability at most its share w (times 1+tolerance), a bet never gains
// on average.
func TestComparisonIsFairUnderTheClaim(t *testing.T) {
	for _, w := range []float64{0.05, 0.2, 0.5} {
		for _, tol := range []float64{0, 0.25} {
			for _, seen := range [][4]float64{{0, 0, 0, 0}, {3, 10, 0, 40}, {10, 500, 10, 2000}, {1, 1, 50, 100}} {
				v := versus{prior: 0.01, tolerance: tol, kc: seen[0], nc: seen[1], ks: seen[2], ns: seen[3]}
				c, s := v, v
				c.observe(true, true, w)
				s.observe(false, true, w)
				up, down := math.Exp(c.logW), math.Exp(s.logW)
				wt := w * (1 + tol)
				theta0 := wt / (wt + 1 - w)
				for _, theta := range []float64{w, theta0} {
					if mean := theta*up + (1-theta)*down; mean > 1+1e-12 {
						t.Errorf("w %g, tolerance %g, seen %v: a bet at theta=%g multiplies wealth by %g on average", w, tol, seen, theta, mean)
					}
				}
			}
		}
	}
}

// TestUpperBoundHoldsAtAllTimes draws Bernoulli sequences and checks that
// the bound, computed again and again as data arrives, falls below the
// true rate in at most alpha of the sequences (far fewer, in practice).
func TestUpperBoundHoldsAtAllTimes(t *testing.T) {
	const (
		alpha = 0.05
		runs  = 1000
		steps = 2000
	)
	for _, p := range []float64{0.005, 0.05} {
		rng := rand.New(rand.NewPCG(7, uint64(p*1e6)))
		crossed := 0
		for range runs {
			bad := 0
			for i := 1; i <= steps; i++ {
				if rng.Float64() < p {
					bad++
				}
				if i%20 == 0 && upperBound(float64(bad), float64(i), alpha) < p {
					crossed++
					break
				}
			}
		}
		t.Logf("p=%g: the bound fell below p in %d of %d sequences (alpha %g)", p, crossed, runs, alpha)
		if float64(crossed) > alpha*runs {
			t.Errorf("p=%g: the bound fell below p in %d of %d sequences, more than alpha", p, crossed, runs)
		}
	}
}

func TestUpperBound(t *testing.T) {
	if b := upperBound(0, 0, 0.01); b != 1 {
		t.Errorf("no data: %g, want 1", b)
	}
	prev := 1.0
	for _, n := range []float64{100, 1000, 10000, 100000} {
		b := upperBound(0.005*n, n, 0.001)
		if b <= 0.005 || b >= prev {
			t.Errorf("0.5%% of %g: bound %g, want above 0.5%% and below %g", n, b, prev)
		}
		prev = b
	}
	if a, b := upperBound(5, 1000, 0.01), upperBound(10, 1000, 0.01); a >= b {
		t.Errorf("more bad outcomes must raise the bound: %g then %g", a, b)
	}
}

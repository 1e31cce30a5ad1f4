// Package rollout is the decision core of a canary rollout: from the
// requests the proxy measures, it decides whether the new version (the
// canary) gets more traffic, stays where it is, becomes the stable
// version, or is rolled back — and says why in words a non-developer
// understands ("The new version failed 4 of its first 5 requests (the old
// version fails 0.39%); traffic went back to the old version.").
//
// It is pure: no I/O, no goroutines, no clock. Time comes in with the
// observations and with Decide's argument, which is also the heartbeat
// that lets the analysis notice missing data. It imports only the root
// package and the standard library; the proxy (or a metrics adapter) feeds
// it, release acts on its verdicts.
//
//	a, err := rollout.New(rollout.DefaultConfig(tier), now)
//	a.Baseline(stableLastHour)          // optional: what the stable version did before
//	a.Observe(rollout.Observation{...}) // every request, both versions, and every probe
//	v := a.Decide(now)                  // after requests, and on a timer
//	// v.Action: continue | hold | advance | promote | rollback; v.Weight, v.Reasons, v.Alert
//
// # A rollout
//
// The canary takes the tier's steps of the traffic (tier 2: 20%, 50%,
// then 100%, which is the promotion; tier 3: 5%, 20%, 50%, 100%). It
// leaves a step when requests were measured over at least MinBake at that
// step and it served at least MinRequests users' requests there (probes
// never count: they alone never promote). Decisions are taken per request,
// not per clock window: Decide may be called after every request, and a
// rollback happens as soon as the evidence is there, however early in a
// step.
//
// A user's request is bad when it gets no answer (Status 0: the proxy could
// not connect, the version crashed or timed out) or a 5xx, and slow when it
// takes longer than SLO.SlowAfter. A probe (the platform's own test request,
// Synthetic) fails on no answer or any status from 400 up.
//
// # Five tests
//
// Three streams of outcomes are watched, each with its own tests:
//
//   - Errors against the stable version: of the failed requests of both
//     versions at the same time, does the canary have more than its share?
//   - Errors against the SLO: does the canary fail more often than
//     SLO.ErrorRate (or than the stable version, if that is worse)? This
//     one catches a version that fails everything within a few requests.
//   - Slow requests, the same two ways, against the stable version and
//     against SLO.SlowShare.
//   - Probes against ProbeFailureRate (1%), or the stable version's probes
//     if they fail more. A failing probe is strong evidence: the canary is
//     rolled back after three to five failed probes, even with no users.
//
// # The statistics, in plain terms
//
// Each test is a bet against the claim "the canary is no worse". Before
// each outcome, a bettor stakes part of its money on "this one goes bad"
// at the odds that would be fair if the claim were exactly true; after it,
// the money is multiplied by what the bet paid. If the claim is true, every
// bet is fair or worse for the bettor, so its money is a nonnegative
// martingale (a supermartingale), and Ville's inequality says the chance
// that it ever reaches x times the stake — at any moment, however long the
// rollout lasts and however often someone looks — is at most 1/x. A test
// rolls back when the money reaches 1/(its share of Alpha): at tier 2,
// 500 times the stake. A canary that really is worse makes the bettor rich
// quickly; a good one makes it lose slowly or not bet at all. This is the
// e-process, or testing by betting, view of Wald's sequential probability
// ratio test (Wald 1945; Ville 1939; Shafer and Vovk 2019; Ramdas,
// Grünwald, Vovk and Shafer, "Game-theoretic statistics and safe
// anytime-valid inference", Statistical Science 2023). It is why the
// analysis may decide after every request without the "peeking" that
// inflates false alarms in fixed-window tests.
//
// How much to stake comes from the bettor's own estimate of how often the
// canary goes bad, made only from outcomes already seen (the "predictable
// plug-in" of Waudby-Smith and Ramdas, "Estimating means of bounded random
// variables by betting", JRSS B 2024): it bets only when its estimate says
// the canary is worse, and bets more the worse it looks. The SLO tests use
// two bettors sharing the stake, one with a long memory (good at a version
// that is somewhat worse all along) and one that remembers about the last
// eight requests (good at a version that breaks all at once, even after an
// hour of good service); averaging two e-processes gives an e-process.
//
// The comparison with the stable version conditions on the bad outcomes,
// like Lindon, Sanden and Shirikian's sequential tests for canaries at
// Netflix ("Rapid regression detection in software deployments through
// sequential testing", KDD 2022): if the canary is no worse and serves 20%
// of the requests, each failed request, whichever moment it happens, is
// the canary's with probability at most 20%. Betting on "it was the
// canary's" at those odds needs no estimate of the stable version's rate,
// and a problem that hits both versions alike (a database outage, a busy
// hour) cancels out. The share is the step's weight, or the measured share
// when the canary gets more (sticky sessions with a few heavy users).
//
// The SLO tests compare the canary with a fixed rate: SLO.ErrorRate (or
// SLO.SlowShare, or 1% for probes), unless the stable version does worse,
// in which case with the stable version's rate. That rate is not known,
// only bounded: the analysis uses an upper confidence bound that holds at
// all times at once (Robbins' beta-binomial mixture, Robbins 1970; Howard,
// Ramdas, McAuliffe and Sekhon, Annals of Statistics 2021), over the
// stable version's requests (Baseline and live) plus three pseudo bad
// outcomes at the SLO's rate — the prior that "the stable version meets
// its SLO", worth 300 requests at a 1% SLO, which the data overrides.
//
// # Alpha
//
// Alpha is the largest probability that a canary as good as the stable
// version is ever rolled back. It is split evenly over the five tests; an
// SLO test gives a fifth of its share to the bound on the stable version
// and the rest to its bet (union bound). At tier 2 (Alpha 1%) the
// comparisons roll back at 500 times the stake, the SLO tests at 625. The
// guarantee assumes that, given the past, requests go bad independently
// and independently of which version serves them (for the comparisons),
// and, for the SLO tests, that the stable version meets its SLO or has
// served enough requests to show it does not. Tier 3 uses 2%, catching bad
// versions sooner at the cost of more false rollbacks.
//
// The bound is loose in practice: simulations (sim_test.go; go test -sim
// runs ten times more rollouts) measure far fewer false rollbacks than
// Alpha allows. From go test -sim (ADR 0012 has the tables):
//
//   - A/A (the canary is the stable version; both fail 0.5% and are slow
//     2% of the time): at most 0.05% of rollouts rolled back, at tiers 2
//     and 3, at 1 and at 0.1 request per second, also when held at the
//     first step for hours (for example 2 in 20,000 at tier 2, 1 request
//     per second; none in 20,000 at 0.1).
//   - A canary that fails every request is rolled back after 3 to 5 of its
//     requests (6 at worst, never more than 10), also when it breaks after
//     100 good ones, with or without the stable version's history.
//   - 2% errors against a 0.5% baseline at tier 2's 20% step: every one
//     rolled back, after a median of 870 canary requests (p90 1,612, p99
//     2,447).
//
// # Missing data never rolls back
//
// Only observed requests move a bettor's money, so missing data cannot
// cause a rollback. Decide holds (Action Hold, with Alert) when no request
// was measured for StaleAfter (the metrics stopped, or nobody uses the
// app), when the canary got no request for StaleAfter while it should
// have had about 20, and while the stable version is failing badly too (at
// least 5 of its last ~32 requests and twice the canary's limit): then the
// SLO tests do not bet on the canary's outcomes, since a shared cause is
// likelier. Time without requests does not count toward MinBake. At the
// end of a step, a test whose money is above the square root of its
// threshold (about 22 at tier 2) while the canary went bad recently holds
// the rollout too: too much doubt to give the canary more traffic, too
// little to roll it back. Holds end by themselves when the cause goes
// away; only Rollback and Promote are final.
//
// # Cost
//
// Observe does a few dozen floating-point operations and allocates
// nothing (35 ns on the benchmark machine); Decide allocates only when the
// verdict is not Continue (Observe and Decide together: about 210 ns, no
// allocation; BenchmarkObserveDecide). An Analysis is not safe for
// concurrent use.
package rollout

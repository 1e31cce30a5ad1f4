// Package runway holds Runway's vocabulary: the manifest, findings, check
// results, reports, decisions and tiers, the small interfaces the adapters
// implement, and the one Error type.
//
// It imports only the standard library. Adapters (scanners, stores, runtimes)
// implement its interfaces; use-case packages (check, release, rollout) hold
// the business rules; only cmd/runway wires them together.
package runway

package runway

import (
	"crypto/sha256"
	"encoding/binary"
)

// Buckets is how many buckets percentage rollouts and traffic splits use:
// 10,000, so that a weight can be set to a hundredth of a percent.
const Buckets = 10000

// Bucket assigns key (a user, a session, a request's sticky cookie) to
// one of Buckets buckets for seed (a flag's key, an app's canary). It is
// the first 8 bytes of SHA-256(seed + "/" + key), big-endian, modulo
// Buckets: stable across processes, versions and machines, and
// documented so that other tools can reproduce an assignment. Feature
// flag rollouts and the proxy's sticky canary split both use it, so a user
// in a flag's first 5% is in the canary's first 5% for the same seed.
func Bucket(seed, key string) int {
	sum := sha256.Sum256([]byte(seed + "/" + key))
	return int(binary.BigEndian.Uint64(sum[:8]) % Buckets)
}

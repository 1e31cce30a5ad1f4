package runway

import (
	"fmt"
	"math"
	"testing"
)

// TestBucketIsStableAndUniform: known assignments never change (other
// tools reproduce them), and 100,000 keys spread evenly.
func TestBucketIsStableAndUniform(t *testing.T) {
	// Computed apart, with Python's hashlib:
	// int.from_bytes(sha256(b"new-checkout/user-1").digest()[:8], "big") % 10000
	for key, want := range map[string]int{"user-1": 5337, "user-2": 7620, "alice@example.com": 8362} {
		if got := Bucket("new-checkout", key); got != want {
			t.Errorf("Bucket(new-checkout, %s) = %d, want %d", key, got, want)
		}
	}
	const n = 100000
	counts := make([]int, 10)
	for i := range n {
		counts[Bucket("seed", fmt.Sprint(i))*10/Buckets]++
	}
	for i, c := range counts {
		if math.Abs(float64(c)-n/10) > 0.03*n/10 {
			t.Errorf("decile %d holds %d of %d keys", i, c, n)
		}
	}
}

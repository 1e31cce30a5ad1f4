package weakrandom

import "math/rand/v2"

func resetToken() int64 {
	return rand.Int64() // expect: go/G404
}

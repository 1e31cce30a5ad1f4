package weakrandom

import "crypto/rand"

func resetTokenSafe() string {
	return rand.Text()
}

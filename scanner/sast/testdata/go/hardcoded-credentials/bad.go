package credentials

import "os"

const jwtSecret = "k8Jq2vX9pL4mR7tW1zN6bY3cF5hD0sGa" // expect: go/G101

func signingKey() []byte {
	if k := os.Getenv("JWT_SECRET"); k != "" {
		return []byte(k)
	}
	return []byte(jwtSecret)
}

package credentials

import "os"

// secretName is the name of the secret in the platform's store, not its value.
const secretName = "JWT_SECRET"

func signingKeyFromEnv() []byte {
	return []byte(os.Getenv(secretName))
}

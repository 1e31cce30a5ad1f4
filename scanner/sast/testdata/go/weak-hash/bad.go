package weakhash

import (
	"crypto/md5" // expect: go/G501
	"encoding/hex"
)

func hashPassword(password string) string {
	sum := md5.Sum([]byte(password)) // expect: go/G401
	return hex.EncodeToString(sum[:])
}

package weakhash

import (
	"crypto/sha256"
	"encoding/hex"
)

func checksum(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

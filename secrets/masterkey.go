package secrets

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/runwayhq/runway"
)

// MasterKeySize is the size of a master key: 256 bits, for AES-256.
const MasterKeySize = 32

// maxKeyMaterial bounds what ParseMasterKey and ReadMasterKeyFile accept;
// a key in any accepted form is far shorter.
const maxKeyMaterial = 4096

// MasterKey seals data keys. It holds the key only inside its cipher: it
// prints as its id, never as its bytes.
type MasterKey struct {
	id   string
	aead cipher.AEAD
}

// ID returns the key's id: "mk_" and 16 hex digits of a SHA-256 over the
// key. The same key always has the same id, so ids need no configuration,
// and the id tells nothing about the key.
func (k *MasterKey) ID() string { return k.id }

// Format prints the key's id, whatever the verb.
func (k *MasterKey) Format(f fmt.State, _ rune) { fmt.Fprintf(f, "master key %s", k.id) }

// newMasterKey makes a key from 32 bytes.
func newMasterKey(raw []byte) *MasterKey {
	sum := sha256.Sum256(append([]byte("runway/master-key-id/v1\x00"), raw...))
	return &MasterKey{id: "mk_" + hex.EncodeToString(sum[:8]), aead: newAEAD(raw)}
}

// newAEAD returns AES-256-GCM with random 96-bit nonces that the standard
// library makes and prepends to each sealed message.
func newAEAD(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // key is always 32 bytes here
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		panic(err)
	}
	return aead
}

// ParseMasterKey reads a master key from its material, as found in a key
// file or in an environment variable's value: exactly 32 raw bytes, or
// their base64 (standard or URL alphabet, padded or not, optionally after
// "base64:") or hex, with surrounding white space ignored. It refuses 32
// bytes of plain text (a password is not a key) and anything else. Errors
// never quote the material.
func ParseMasterKey(material []byte) (*MasterKey, error) {
	if len(material) == MasterKeySize {
		if err := weakRawKey(material); err != nil {
			return nil, err
		}
		return newMasterKey(material), nil
	}
	if len(material) > maxKeyMaterial {
		return nil, badKey("it is %d bytes long", len(material))
	}
	text := bytes.TrimPrefix(bytes.TrimSpace(material), []byte("base64:"))
	if raw, ok := decodeKeyText(string(text)); ok {
		if err := weakRawKey(raw); err != nil {
			return nil, err
		}
		return newMasterKey(raw), nil
	}
	if len(text) == 0 {
		return nil, badKey("it is empty")
	}
	return nil, badKey("it is neither 32 raw bytes nor the base64 or hex of 32 bytes")
}

// decodeKeyText decodes base64 (any of the four forms) or hex of 32 bytes.
func decodeKeyText(s string) ([]byte, bool) {
	if len(s) == 2*MasterKeySize {
		if raw, err := hex.DecodeString(s); err == nil {
			return raw, true
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err := enc.DecodeString(s); err == nil && len(raw) == MasterKeySize {
			return raw, true
		}
	}
	return nil, false
}

// weakRawKey refuses 32 bytes that cannot have come from a random source:
// all printable text (a pasted password; random bytes are that with odds of
// about 1 in 10^14) or one byte repeated.
func weakRawKey(raw []byte) error {
	printable, same := true, true
	for _, b := range raw {
		printable = printable && b >= 0x20 && b < 0x7f
		same = same && b == raw[0]
	}
	switch {
	case printable:
		return badKey("its 32 bytes are plain text (a password?), not random bytes")
	case same:
		return badKey("its 32 bytes are all the same")
	}
	return nil
}

func badKey(format string, args ...any) error {
	return runway.Errorf(runway.EINVALID, "the secrets master key is not usable: "+format+
		". Make one with `runway secrets generate-key` (or `head -c 32 /dev/urandom | base64`) and keep it outside the database", args...)
}

// ReadMasterKeyFile reads a master key from a file (see ParseMasterKey). It
// refuses a file that others may write (anyone who can replace the key can
// read every secret set afterwards).
func ReadMasterKeyFile(path string) (*MasterKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, runway.Errorf(runway.EINVALID, "cannot read the secrets master key file %s: %v", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, runway.Errorf(runway.EINVALID, "cannot read the secrets master key file %s: %v", path, err)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return nil, runway.Errorf(runway.EINVALID, "the secrets master key file %s can be written by others (mode %v): make it writable by its owner only (chmod 600 %s)", path, fi.Mode().Perm(), path)
	}
	material, err := io.ReadAll(io.LimitReader(f, maxKeyMaterial+1))
	if err != nil {
		return nil, runway.Errorf(runway.EINVALID, "cannot read the secrets master key file %s: %v", path, err)
	}
	k, err := ParseMasterKey(material)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// GenerateMasterKey returns a new random master key and its base64 form,
// the text to keep in a key file or a secret manager.
func GenerateMasterKey() (*MasterKey, string) {
	raw := make([]byte, MasterKeySize)
	rand.Read(raw)
	return newMasterKey(raw), base64.StdEncoding.EncodeToString(raw)
}

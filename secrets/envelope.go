package secrets

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/runwayhq/runway"
)

// Envelope is the default runway.SecretBackend: envelope encryption over a
// runway.SecretStore, with the standard library's AES-256-GCM.
//
// Every value gets a data key of its own (32 random bytes, made at each set
// and used once). The value is sealed under the data key, and the data key
// under the current master key, whose id is stored beside it. The
// associated data of both seals names the secret (app, environment, NAME),
// so sealed bytes copied to another secret do not open. Rotation re-seals
// data keys only; values are never re-encrypted.
type Envelope struct {
	store runway.SecretStore
	// batch is how many data keys one rotation transaction re-seals.
	batch int

	mu      sync.RWMutex
	current *MasterKey
	keys    map[string]*MasterKey
}

// NewEnvelope returns an Envelope that seals new data keys under current
// and opens those sealed under current or any of older (keep the keys a
// rotation is moving away from until it is done).
func NewEnvelope(store runway.SecretStore, current *MasterKey, older ...*MasterKey) *Envelope {
	e := &Envelope{store: store, batch: 100, current: current, keys: map[string]*MasterKey{current.id: current}}
	for _, k := range older {
		e.keys[k.id] = k
	}
	return e
}

// Format marks for sealed blobs: a blob starts with its format's byte, so
// that a later format can be told apart.
const formatV1 byte = 1

// Labels that start the associated data, so a data key can never be taken
// for a value, nor the other way round.
const (
	labelValue   = "runway/secret-value/v1"
	labelDataKey = "runway/secret-data-key/v1"
)

// associatedData encodes the label and fields, each length-prefixed, so
// that no two different lists encode alike.
func associatedData(label string, fields ...string) []byte {
	var b []byte
	for _, f := range append([]string{label}, fields...) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	return b
}

func valueAD(r runway.SecretRef) []byte {
	return associatedData(labelValue, r.App, string(r.Env), r.Name)
}

func dataKeyAD(keyID string, r runway.SecretRef) []byte {
	return associatedData(labelDataKey, keyID, r.App, string(r.Env), r.Name)
}

// seal returns formatV1 || nonce || ciphertext || tag.
func seal(aead cipher.AEAD, plaintext, ad []byte) []byte {
	return aead.Seal([]byte{formatV1}, nil, plaintext, ad)
}

// open undoes seal; any change to the blob or the associated data fails.
func open(aead cipher.AEAD, blob, ad []byte) ([]byte, error) {
	if len(blob) < 1+aead.Overhead() || blob[0] != formatV1 {
		return nil, errMalformed
	}
	return aead.Open(nil, nil, blob[1:], ad)
}

var errMalformed = errors.New("not a sealed secret of a known format")

// sealSecret seals value for ref under the current master key.
func (e *Envelope) sealSecret(ref runway.SecretRef, value []byte) *runway.SealedSecret {
	mk := e.currentKey()
	dataKey := make([]byte, MasterKeySize)
	rand.Read(dataKey)
	defer clear(dataKey)
	return &runway.SealedSecret{
		SecretInfo: runway.SecretInfo{SecretRef: ref},
		KeyID:      mk.id,
		WrappedKey: seal(mk.aead, dataKey, dataKeyAD(mk.id, ref)),
		Ciphertext: seal(newAEAD(dataKey), value, valueAD(ref)),
	}
}

// openSecret returns a sealed secret's value. The error names the secret
// and the master key, never a value.
func (e *Envelope) openSecret(s *runway.SealedSecret) ([]byte, error) {
	dataKey, err := e.openDataKey(s)
	if err != nil {
		return nil, err
	}
	defer clear(dataKey)
	value, err := open(newAEAD(dataKey), s.Ciphertext, valueAD(s.SecretRef))
	if err != nil {
		return nil, tampered(s)
	}
	return value, nil
}

func (e *Envelope) openDataKey(s *runway.SealedSecret) ([]byte, error) {
	e.mu.RLock()
	mk := e.keys[s.KeyID]
	e.mu.RUnlock()
	if mk == nil {
		return nil, runway.Errorf(runway.EINTERNAL,
			"secret %s is sealed under master key %s, which this server was not given: start it with that key (as the current or an old key), or set the secret again",
			s.SecretRef, s.KeyID)
	}
	dataKey, err := open(mk.aead, s.WrappedKey, dataKeyAD(s.KeyID, s.SecretRef))
	if err != nil || len(dataKey) != MasterKeySize {
		return nil, tampered(s)
	}
	return dataKey, nil
}

func tampered(s *runway.SealedSecret) error {
	return runway.Errorf(runway.EINTERNAL,
		"secret %s (version %d) does not open under master key %s: its stored bytes were changed or copied from another secret; set it again",
		s.SecretRef, s.Version, s.KeyID)
}

func (e *Envelope) currentKey() *MasterKey {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.current
}

// PutSecret seals value under a new data key and stores it as the next
// version.
func (e *Envelope) PutSecret(ctx context.Context, ref runway.SecretRef, value []byte) (*runway.SecretInfo, error) {
	if err := ref.Validate(); err != nil {
		return nil, err
	}
	s := e.sealSecret(ref, value)
	if err := e.store.PutSealedSecret(ctx, s); err != nil {
		return nil, err
	}
	return &s.SecretInfo, nil
}

// DeleteSecret removes a secret.
func (e *Envelope) DeleteSecret(ctx context.Context, ref runway.SecretRef) error {
	if err := ref.Validate(); err != nil {
		return err
	}
	return e.store.DeleteSecret(ctx, ref)
}

// ListSecrets describes an app's secrets.
func (e *Envelope) ListSecrets(ctx context.Context, app string) ([]*runway.SecretInfo, error) {
	return e.store.FindSecrets(ctx, app)
}

// GetSecrets opens the secrets among refs that exist. One that does not
// open fails the whole call: a process must not start with some of its
// secrets.
func (e *Envelope) GetSecrets(ctx context.Context, refs []runway.SecretRef) (map[runway.SecretRef]*runway.SecretValue, error) {
	sealed, err := e.store.FindSealedSecrets(ctx, refs)
	if err != nil {
		return nil, err
	}
	out := make(map[runway.SecretRef]*runway.SecretValue, len(sealed))
	for _, s := range sealed {
		v, err := e.openSecret(s)
		if err != nil {
			return nil, err
		}
		out[s.SecretRef] = &runway.SecretValue{SecretInfo: s.SecretInfo, Value: v}
	}
	return out, nil
}

// CheckKeys returns an error when a stored secret is sealed under a master
// key this Envelope was not given: the server was started with the wrong
// key, or without the old key in the middle of a rotation.
func (e *Envelope) CheckKeys(ctx context.Context) error {
	use, err := e.store.CountSecretKeys(ctx)
	if err != nil {
		return err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	var unknown []string
	for id, n := range use {
		if e.keys[id] == nil {
			unknown = append(unknown, fmt.Sprintf("%s (%d secrets)", id, n))
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return runway.Errorf(runway.EINVALID,
			"app secrets are sealed under master keys this server was not given: %v. Give the right master key (this server has %v), and during a rotation the old key too",
			unknown, slices.Sorted(maps.Keys(e.keys)))
	}
	return nil
}

// Rotation is what a key rotation did.
type Rotation struct {
	// KeyID is the new master key's id.
	KeyID string `json:"key_id"`
	// Resealed is how many data keys this run re-sealed.
	Resealed int `json:"resealed"`
	// Remaining counts, by master key id, the secrets still sealed under
	// another key than the new one: empty when the rotation is done and
	// the old keys may be dropped.
	Remaining map[string]int `json:"remaining"`
}

// Rotate makes newKey the current master key and re-seals every data key
// under it, in batches of one audited transaction each ("secret.rotate",
// naming the secrets and their versions). Values are not touched. The old
// keys stay in this Envelope: a secret opens under whichever key sealed it,
// so a rotation stopped at any point (a cancelled context, a crash) leaves
// every secret readable, and running Rotate again with the same new key
// goes on where it stopped. Other processes must be given newKey as their
// current key and the old one as an old key before the rotation, so that
// they do not seal new values under the old key meanwhile.
func (e *Envelope) Rotate(ctx context.Context, newKey *MasterKey) (*Rotation, error) {
	e.mu.Lock()
	e.keys[newKey.id] = newKey
	e.current = newKey
	e.mu.Unlock()
	r := &Rotation{KeyID: newKey.id}
	for {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		n, err := e.store.RewrapSecrets(ctx, newKey.id, e.batch, func(s *runway.SealedSecret) error {
			dataKey, err := e.openDataKey(s)
			if err != nil {
				return err
			}
			defer clear(dataKey)
			s.KeyID, s.WrappedKey = newKey.id, seal(newKey.aead, dataKey, dataKeyAD(newKey.id, s.SecretRef))
			return nil
		})
		if err != nil {
			return r, fmt.Errorf("rotate to master key %s after re-sealing %d data keys: %w", newKey.id, r.Resealed, err)
		}
		if n == 0 {
			break
		}
		r.Resealed += n
	}
	use, err := e.store.CountSecretKeys(ctx)
	if err != nil {
		return r, err
	}
	delete(use, newKey.id)
	r.Remaining = use
	return r, nil
}

// KeyUse counts the secrets sealed under each master key id.
func (e *Envelope) KeyUse(ctx context.Context) (map[string]int, error) {
	return e.store.CountSecretKeys(ctx)
}

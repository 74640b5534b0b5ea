package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// cosignatureV1 verifies C2SP tlog-cosignature "cosignature/v1" signatures as a note.Verifier,
// written from the spec (https://c2sp.org/tlog-cosignature): note.Open finds the line by name and
// key hash and strips the 4-byte key hash; what remains is an 8-byte big-endian timestamp and an
// Ed25519 signature over "cosignature/v1\ntime <timestamp>\n" followed by the note text.
type cosignatureV1 struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

func (v *cosignatureV1) Name() string    { return v.name }
func (v *cosignatureV1) KeyHash() uint32 { return v.hash }

func (v *cosignatureV1) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	signed := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", t)), msg...)
	return ed25519.Verify(v.key, signed, sig[8:])
}

// newCosignatureVerifier parses a witness vkey "name+hash+base64(0x04 || key)" and checks its hash,
// SHA-256(name || "\n" || 0x04 || key)[:4].
func newCosignatureVerifier(vkey string) (*cosignatureV1, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return nil, errors.New("malformed witness key")
	}
	material, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(material) != 1+ed25519.PublicKeySize || material[0] != 0x04 {
		return nil, errors.New("witness key is not a cosignature/v1 (0x04) Ed25519 key")
	}
	h := sha256.Sum256(append([]byte(parts[0]+"\n"), material...))
	hash := binary.BigEndian.Uint32(h[:4])
	if fmt.Sprintf("%08x", hash) != parts[1] {
		return nil, errors.New("witness key hash does not match")
	}
	return &cosignatureV1{name: parts[0], hash: hash, key: ed25519.PublicKey(material[1:])}, nil
}

// checkCosigned opens a cosigned checkpoint with note.Open, configured with the log's key and the
// witnesses' cosignature verifiers: every known signature must verify, and it prints which did.
func checkCosigned(file, logKey string, witnessKeys []string) error {
	logV, err := note.NewVerifier(strings.TrimSpace(logKey))
	if err != nil {
		return fmt.Errorf("log key: %v", err)
	}
	verifiers := []note.Verifier{logV}
	for _, k := range witnessKeys {
		w, err := newCosignatureVerifier(strings.TrimSpace(k))
		if err != nil {
			return fmt.Errorf("witness key %s: %v", k, err)
		}
		verifiers = append(verifiers, w)
	}
	msg, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	n, err := note.Open(msg, note.VerifierList(verifiers...))
	if err != nil {
		return fmt.Errorf("note.Open: %v", err)
	}
	var names []string
	for _, s := range n.Sigs {
		names = append(names, s.Name)
	}
	fmt.Printf("OK signed by %s\n", strings.Join(names, ", "))
	return nil
}

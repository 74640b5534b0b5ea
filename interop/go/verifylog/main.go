// Command verifylog is an independent check of a Phaseline log export (C2SP tlog-tiles) that
// uses only Go's own transparency-log packages, golang.org/x/mod/sumdb/note and
// golang.org/x/mod/sumdb/tlog, and no Phaseline code.
//
// Usage:
//
//	verifylog DIR VKEY [OLD_CHECKPOINT]   verify the export in DIR against the log key VKEY
//	verifylog note FILE VKEY              open the signed note in FILE with VKEY
//	verifylog cosigned FILE VKEY WKEY...  open a cosigned checkpoint: the log key VKEY and the
//	                                      cosignature/v1 witness keys WKEY must all verify
//
// DIR holds `checkpoint`, `tile/<L>/<N>[.p/<W>]` (height 8, no height element in the path, unlike
// Go's own Tile.Path) and `tile/entries/<N>[.p/<W>]` (uint16 big-endian length-prefixed entries).
// It prints `OK size=N` and exits 0, or prints what failed and exits 1 (2 for a wrong invocation).
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// tileHeight is fixed at 8 by c2sp.org/tlog-tiles.
const tileHeight = 8

// tileWidth is the number of hashes (or entries) in a full tile.
const tileWidth = 1 << tileHeight

func main() {
	args := os.Args[1:]
	var err error
	switch {
	case len(args) == 3 && args[0] == "note":
		err = checkNoteFile(args[1], args[2])
	case len(args) >= 4 && args[0] == "cosigned":
		err = checkCosigned(args[1], args[2], args[3:])
	case len(args) == 2 || len(args) == 3:
		old := ""
		if len(args) == 3 {
			old = args[2]
		}
		var size int64
		size, err = verifyExport(args[0], args[1], old)
		if err == nil {
			fmt.Printf("OK size=%d\n", size)
		}
	default:
		fmt.Fprintln(os.Stderr, "usage: verifylog DIR VKEY [OLD_CHECKPOINT]\n       verifylog note FILE VKEY\n       verifylog cosigned FILE VKEY WKEY...")
		os.Exit(2)
	}
	if err != nil {
		fmt.Printf("FAIL: %v\n", err)
		os.Exit(1)
	}
}

// checkNoteFile opens the signed note in file with the verifier key vkey (note mode).
func checkNoteFile(file, vkey string) error {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return fmt.Errorf("verifier key: %v", err)
	}
	msg, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return fmt.Errorf("note.Open: %v", err)
	}
	fmt.Printf("OK note signed by %s+%08x, %d text bytes\n", n.Sigs[0].Name, n.Sigs[0].Hash, len(n.Text))
	return nil
}

// checkpoint is a parsed c2sp.org/tlog-checkpoint body.
type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

// openCheckpoint reads a signed checkpoint, opens it with note.Open and parses its body.
func openCheckpoint(file string, v note.Verifier) (checkpoint, error) {
	var cp checkpoint
	msg, err := os.ReadFile(file)
	if err != nil {
		return cp, err
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return cp, fmt.Errorf("%s: note.Open: %v", file, err)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) < 3 {
		return cp, fmt.Errorf("%s: body has %d lines, want at least 3 (origin, size, root)", file, len(lines))
	}
	cp.origin = lines[0]
	if cp.origin == "" {
		return cp, fmt.Errorf("%s: empty origin line", file)
	}
	if cp.origin != v.Name() {
		return cp, fmt.Errorf("%s: origin %q is not the key name %q", file, cp.origin, v.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return cp, fmt.Errorf("%s: bad tree size line %q", file, lines[1])
	}
	cp.size = size
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize || base64.StdEncoding.EncodeToString(root) != lines[2] {
		return cp, fmt.Errorf("%s: bad root hash line %q", file, lines[2])
	}
	copy(cp.root[:], root)
	return cp, nil
}

// indexPath encodes a tile index as 3-digit groups, all but the last prefixed with "x"
// (the same grouping as Go's Tile.Path).
func indexPath(n int64) string {
	s := fmt.Sprintf("%03d", n%1000)
	for n >= 1000 {
		n /= 1000
		s = fmt.Sprintf("x%03d/%s", n%1000, s)
	}
	return s
}

// c2spPath is the C2SP tlog-tiles path of a Go tile: `tile/<L>/<N>[.p/<W>]`, or
// `tile/entries/<N>[.p/<W>]` for level -1 (Go's "data" tiles). Go's own Tile.Path has an extra
// height element (`tile/8/<L>/…`) that C2SP drops.
func c2spPath(t tlog.Tile) string {
	if t.H != tileHeight {
		panic(fmt.Sprintf("tile height %d, want %d", t.H, tileHeight))
	}
	level := strconv.Itoa(t.L)
	if t.L == -1 {
		level = "entries"
	}
	p := "tile/" + level + "/" + indexPath(t.N)
	if t.W != tileWidth {
		p += fmt.Sprintf(".p/%d", t.W)
	}
	return p
}

// dirTileReader serves tiles from an exported directory (a tlog.TileReader).
type dirTileReader struct {
	dir   string
	reads int
}

func (r *dirTileReader) Height() int { return tileHeight }

func (r *dirTileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		p := c2spPath(t)
		b, err := os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(p)))
		if err != nil {
			return nil, fmt.Errorf("reading tile %s: %v", p, err)
		}
		if len(b) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("tile %s: %d bytes, want %d", p, len(b), t.W*tlog.HashSize)
		}
		r.reads++
		out[i] = b
	}
	return out, nil
}

func (r *dirTileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

// memHashes is an in-memory store of the tree's stored hashes (tlog's numbering).
type memHashes []tlog.Hash

func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m)) {
			return nil, fmt.Errorf("stored hash %d not available", x)
		}
		out[i] = m[x]
	}
	return out, nil
}

// readEntries reads and decodes every entry bundle of a tree of the given size.
func readEntries(dir string, size int64) ([][]byte, error) {
	entries := make([][]byte, 0, size)
	for n := int64(0); n*tileWidth < size; n++ {
		w := size - n*tileWidth
		if w > tileWidth {
			w = tileWidth
		}
		p := c2spPath(tlog.Tile{H: tileHeight, L: -1, N: n, W: int(w)})
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			return nil, fmt.Errorf("reading entry bundle: %v", err)
		}
		off := 0
		for k := int64(0); k < w; k++ {
			if len(b)-off < 2 {
				return nil, fmt.Errorf("%s: truncated at entry %d (offset %d)", p, k, off)
			}
			l := int(binary.BigEndian.Uint16(b[off:]))
			off += 2
			if len(b)-off < l {
				return nil, fmt.Errorf("%s: entry %d declares %d bytes, %d left", p, k, l, len(b)-off)
			}
			entries = append(entries, b[off:off+l])
			off += l
		}
		if off != len(b) {
			return nil, fmt.Errorf("%s: %d trailing bytes after %d entries", p, len(b)-off, w)
		}
	}
	return entries, nil
}

// sample returns the record indexes to prove: all of them for small trees, else about 1000
// spread evenly plus the first and the last.
func sample(size int64) []int64 {
	if size <= 2000 {
		out := make([]int64, size)
		for i := range out {
			out[i] = int64(i)
		}
		return out
	}
	seen := map[int64]bool{}
	var out []int64
	add := func(i int64) {
		if !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	add(0)
	for k := int64(0); k < 1000; k++ {
		add(k * size / 1000)
	}
	add(size - 1)
	return out
}

// tilesFor lists the hash tiles of a tree of the given size: tlog.NewTiles(8, 0, size) lists
// every width a growing partial tile went through; only the widest of each (L, N) is published.
func tilesFor(size int64) []tlog.Tile {
	all := tlog.NewTiles(tileHeight, 0, size)
	var out []tlog.Tile
	for i, t := range all {
		if i+1 < len(all) && all[i+1].L == t.L && all[i+1].N == t.N {
			continue
		}
		out = append(out, t)
	}
	return out
}

// emptyRoot is the RFC 6962 hash of the empty tree, SHA-256 of the empty string.
func emptyRoot() tlog.Hash { return tlog.Hash(sha256.Sum256(nil)) }

func verifyExport(dir, vkey, oldFile string) (int64, error) {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return 0, fmt.Errorf("verifier key: %v", err)
	}
	cp, err := openCheckpoint(filepath.Join(dir, "checkpoint"), v)
	if err != nil {
		return 0, err
	}
	size, root := cp.size, cp.root

	if size == 0 {
		// tlog defines the empty tree's hash as all zeros; RFC 6962 says SHA-256("").
		if root != emptyRoot() {
			return 0, fmt.Errorf("checkpoint of size 0 has root %v, want SHA-256 of the empty string", root)
		}
	} else {
		tr := &dirTileReader{dir: dir}
		hr := tlog.TileHashReader(tlog.Tree{N: size, Hash: root}, tr)

		// 1. The tree hash from the hash tiles (which tileHashReader authenticates).
		th, err := tlog.TreeHash(size, hr)
		if err != nil {
			return 0, fmt.Errorf("tlog.TreeHash from tiles: %v", err)
		}
		if th != root {
			return 0, fmt.Errorf("tree hash from tiles %v != checkpoint root %v", th, root)
		}

		// 2. The entries, their record hashes, and the tree rebuilt from the entries alone.
		entries, err := readEntries(dir, size)
		if err != nil {
			return 0, err
		}
		recordHashes := make([]tlog.Hash, size)
		var stored memHashes
		for i, e := range entries {
			recordHashes[i] = tlog.RecordHash(e)
			hs, err := tlog.StoredHashesForRecordHash(int64(i), recordHashes[i], stored)
			if err != nil {
				return 0, fmt.Errorf("tlog.StoredHashesForRecordHash(%d): %v", i, err)
			}
			stored = append(stored, hs...)
		}
		eh, err := tlog.TreeHash(size, stored)
		if err != nil {
			return 0, fmt.Errorf("tlog.TreeHash from entries: %v", err)
		}
		if eh != root {
			return 0, fmt.Errorf("tree hash from the entries %v != checkpoint root %v", eh, root)
		}

		// 3. Every hash tile, byte for byte, against the tile computed from the entries
		// (level-0 tiles hold the RecordHash of each entry).
		for _, t := range tilesFor(size) {
			want, err := tlog.ReadTileData(t, stored)
			if err != nil {
				return 0, fmt.Errorf("tlog.ReadTileData(%s): %v", c2spPath(t), err)
			}
			got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(c2spPath(t))))
			if err != nil {
				return 0, fmt.Errorf("reading tile: %v", err)
			}
			if !bytes.Equal(got, want) {
				if t.L == 0 {
					for k := 0; k < t.W && (k+1)*tlog.HashSize <= len(got); k++ {
						i := t.N*tileWidth + int64(k)
						if !bytes.Equal(got[k*tlog.HashSize:(k+1)*tlog.HashSize], recordHashes[i][:]) {
							return 0, fmt.Errorf("%s: hash %d is not tlog.RecordHash of entry %d", c2spPath(t), k, i)
						}
					}
				}
				return 0, fmt.Errorf("%s: %d bytes differ from the tile computed from the entries (%d bytes)", c2spPath(t), len(got), len(want))
			}
		}

		// 4. Inclusion proofs through the tile hash reader.
		for _, i := range sample(size) {
			proof, err := tlog.ProveRecord(size, i, hr)
			if err != nil {
				return 0, fmt.Errorf("tlog.ProveRecord(%d, %d): %v", size, i, err)
			}
			if err := tlog.CheckRecord(proof, size, root, i, recordHashes[i]); err != nil {
				return 0, fmt.Errorf("tlog.CheckRecord(record %d of %d): %v", i, size, err)
			}
		}

		// 5. Consistency with an older checkpoint.
		if oldFile != "" {
			old, err := openCheckpoint(oldFile, v)
			if err != nil {
				return 0, fmt.Errorf("old checkpoint: %v", err)
			}
			if old.origin != cp.origin {
				return 0, fmt.Errorf("old checkpoint origin %q != %q", old.origin, cp.origin)
			}
			switch {
			case old.size > size:
				return 0, fmt.Errorf("old checkpoint size %d is above the current size %d", old.size, size)
			case old.size == 0:
				if old.root != emptyRoot() {
					return 0, errors.New("old checkpoint of size 0 has a root other than SHA-256 of the empty string")
				}
			case old.size == size:
				if old.root != root {
					return 0, fmt.Errorf("fork: two roots for size %d: %v and %v", size, old.root, root)
				}
			default:
				proof, err := tlog.ProveTree(size, old.size, hr)
				if err != nil {
					return 0, fmt.Errorf("tlog.ProveTree(%d, %d): %v", size, old.size, err)
				}
				if err := tlog.CheckTree(proof, size, root, old.size, old.root); err != nil {
					return 0, fmt.Errorf("tlog.CheckTree(%d -> %d): %v", old.size, size, err)
				}
			}
		}
	}
	if oldFile != "" && size == 0 {
		old, err := openCheckpoint(oldFile, v)
		if err != nil {
			return 0, fmt.Errorf("old checkpoint: %v", err)
		}
		if old.size != 0 {
			return 0, fmt.Errorf("old checkpoint size %d is above the current size 0", old.size)
		}
	}
	return size, nil
}

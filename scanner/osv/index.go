package osv

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"slices"
	"strings"
)

// The index file of one ecosystem (docs/adr/0005-osv-vulnerability-database.md):
//
//	magic "RWOSVDB1" | uint32 header length | header JSON | data
//	data = bucket table (buckets × [uint64 offset, uint32 length])
//	     | buckets: entries of [uvarint key length, key, uvarint value
//	       length, value], value = JSON array of the package's records
//	     | the records' IDs, one a line, sorted
//
// Offsets are relative to the start of data. A lookup hashes the package
// key (FNV-1a 64) to a bucket and reads two small ranges of the file: the
// table slot and the bucket. Nothing is parsed at open but the header.
const (
	indexMagic   = "RWOSVDB1"
	indexFormat  = 1
	slotSize     = 12
	maxHeaderLen = 1 << 20
)

var errCorrupt = errors.New("the database file is damaged")

// fileHeader is the JSON header of an index file.
type fileHeader struct {
	Format int `json:"format"`
	EcosystemInfo
	Buckets   uint64 `json:"buckets"`
	IDsOffset int64  `json:"ids_offset"`
	IDsLength int64  `json:"ids_length"`
}

// indexFile reads one ecosystem's index file.
type indexFile struct {
	f    io.ReaderAt
	c    io.Closer
	hdr  fileHeader
	data int64 // where data starts
	size int64 // length of data
}

func openIndex(path string) (*indexFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	ix, err := readIndex(f, st.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	ix.c = f
	return ix, nil
}

// readIndex reads the header of an index of the given size.
func readIndex(f io.ReaderAt, size int64) (*indexFile, error) {
	var pre [len(indexMagic) + 4]byte
	if _, err := f.ReadAt(pre[:], 0); err != nil || string(pre[:len(indexMagic)]) != indexMagic {
		return nil, errCorrupt
	}
	n := int64(binary.LittleEndian.Uint32(pre[len(indexMagic):]))
	if n > maxHeaderLen || int64(len(pre))+n > size {
		return nil, errCorrupt
	}
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, int64(len(pre))); err != nil {
		return nil, errCorrupt
	}
	ix := &indexFile{f: f, data: int64(len(pre)) + n}
	ix.size = size - ix.data
	if err := json.Unmarshal(buf, &ix.hdr); err != nil || ix.hdr.Format != indexFormat {
		return nil, errCorrupt
	}
	h := ix.hdr
	if h.Buckets == 0 || h.Buckets > uint64(ix.size)/slotSize || h.IDsOffset < 0 || h.IDsLength < 0 || h.IDsOffset+h.IDsLength > ix.size {
		return nil, errCorrupt
	}
	return ix, nil
}

func (ix *indexFile) Close() error {
	if ix.c == nil {
		return nil
	}
	return ix.c.Close()
}

// lookup returns the JSON records stored under key, or nil.
func (ix *indexFile) lookup(key string) ([]byte, error) {
	off, n, err := ix.slot(bucketOf(key, ix.hdr.Buckets))
	if err != nil || n == 0 {
		return nil, err
	}
	bucket := make([]byte, n)
	if _, err := ix.f.ReadAt(bucket, ix.data+off); err != nil {
		return nil, errCorrupt
	}
	var found []byte
	err = eachEntry(bucket, func(k string, v []byte) bool {
		if k == key {
			found = v
			return false
		}
		return true
	})
	return found, err
}

func (ix *indexFile) slot(b uint64) (off, n int64, err error) {
	var s [slotSize]byte
	if _, err := ix.f.ReadAt(s[:], ix.data+int64(b)*slotSize); err != nil {
		return 0, 0, errCorrupt
	}
	off = int64(binary.LittleEndian.Uint64(s[:8]))
	n = int64(binary.LittleEndian.Uint32(s[8:]))
	if off < 0 || off > ix.size || n > ix.size-off {
		return 0, 0, errCorrupt
	}
	return off, n, nil
}

// each calls fn with every package's stored records.
func (ix *indexFile) each(fn func(key string, val []byte) error) error {
	r := io.NewSectionReader(ix.f, ix.data, ix.size)
	var ferr error
	for b := range ix.hdr.Buckets {
		off, n, err := ix.slot(b)
		if err != nil {
			return err
		}
		bucket := make([]byte, n)
		if _, err := r.ReadAt(bucket, off); err != nil {
			return errCorrupt
		}
		if err := eachEntry(bucket, func(k string, v []byte) bool { ferr = fn(k, v); return ferr == nil }); err != nil {
			return err
		}
		if ferr != nil {
			return ferr
		}
	}
	return nil
}

// ids returns the IDs of every record in the file, withdrawn ones too.
func (ix *indexFile) ids() ([]string, error) {
	buf := make([]byte, ix.hdr.IDsLength)
	if _, err := ix.f.ReadAt(buf, ix.data+ix.hdr.IDsOffset); err != nil {
		return nil, errCorrupt
	}
	return strings.Fields(string(buf)), nil
}

// eachEntry walks a bucket's entries until fn returns false.
func eachEntry(bucket []byte, fn func(key string, val []byte) bool) error {
	for len(bucket) > 0 {
		k, rest, ok := chunk(bucket)
		if !ok {
			return errCorrupt
		}
		v, rest, ok := chunk(rest)
		if !ok {
			return errCorrupt
		}
		if !fn(string(k), v) {
			return nil
		}
		bucket = rest
	}
	return nil
}

func chunk(b []byte) (val, rest []byte, ok bool) {
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)-w) {
		return nil, nil, false
	}
	return b[w : w+int(n)], b[w+int(n):], true
}

func bucketOf(key string, buckets uint64) uint64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return h.Sum64() % buckets
}

// writeIndex writes the index file of one ecosystem to f, an empty file:
// packages maps each package key to its JSON records; ids are every
// record's ID. It syncs f but does not close it.
func writeIndex(f *os.File, info EcosystemInfo, packages map[string][]byte, ids []string) error {
	nb := uint64(max(1, len(packages)/2))
	buckets := make([][]string, nb)
	for k := range packages {
		b := bucketOf(k, nb)
		buckets[b] = append(buckets[b], k)
	}
	var bucketBytes [][]byte
	off := int64(nb) * slotSize
	table := make([]byte, 0, off)
	for _, keys := range buckets {
		slices.Sort(keys)
		var buf []byte
		for _, k := range keys {
			buf = binary.AppendUvarint(buf, uint64(len(k)))
			buf = append(buf, k...)
			buf = binary.AppendUvarint(buf, uint64(len(packages[k])))
			buf = append(buf, packages[k]...)
		}
		table = binary.LittleEndian.AppendUint64(table, uint64(off))
		table = binary.LittleEndian.AppendUint32(table, uint32(len(buf)))
		bucketBytes = append(bucketBytes, buf)
		off += int64(len(buf))
	}
	slices.Sort(ids)
	idBytes := []byte(strings.Join(slices.Compact(ids), "\n"))
	hdr := fileHeader{Format: indexFormat, EcosystemInfo: info, Buckets: nb, IDsOffset: off, IDsLength: int64(len(idBytes))}
	hj, err := json.Marshal(hdr)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(indexMagic)
	binary.Write(w, binary.LittleEndian, uint32(len(hj)))
	w.Write(hj)
	w.Write(table)
	for _, b := range bucketBytes {
		w.Write(b)
	}
	w.Write(idBytes)
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Sync()
}

// copyWithHeader writes ix to f with a new header and the same data.
func copyWithHeader(f *os.File, ix *indexFile, hdr fileHeader) error {
	hj, err := json.Marshal(hdr)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(indexMagic)
	binary.Write(w, binary.LittleEndian, uint32(len(hj)))
	w.Write(hj)
	if _, err := io.Copy(w, io.NewSectionReader(ix.f, ix.data, ix.size)); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Sync()
}

package osv

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// rebuildPlan says which ecosystem files an import rewrites and with what.
type rebuildPlan struct {
	// order lists the ecosystems to rebuild, sorted.
	order []string
	// parts holds the batch's records per ecosystem, each with only that
	// ecosystem's affected entries.
	parts map[string]map[string]*Record
}

// plan finds the ecosystems to rebuild: those the batch brings records
// for, and those holding an older version of a batch record (which may no
// longer affect them). With opt.replace, only that ecosystem.
func (im *Importer) plan(b *batch, opt commitOptions) (*rebuildPlan, error) {
	p := &rebuildPlan{parts: map[string]map[string]*Record{}}
	for id, r := range b.records {
		for _, eco := range r.ecosystems() {
			if opt.replace != "" && eco != opt.replace {
				continue
			}
			if p.parts[eco] == nil {
				p.parts[eco] = map[string]*Record{}
			}
			p.parts[eco][id] = r.forEcosystem(eco)
		}
	}
	touched := map[string]bool{}
	for eco := range p.parts {
		touched[eco] = true
	}
	if opt.replace != "" {
		touched[opt.replace] = true
	} else if err := im.touchHolders(b, touched); err != nil {
		return nil, err
	}
	for eco := range touched {
		p.order = append(p.order, eco)
	}
	slices.Sort(p.order)
	return p, nil
}

// touchHolders marks the stored ecosystems that hold one of the batch's IDs.
func (im *Importer) touchHolders(b *batch, touched map[string]bool) error {
	db, err := Open(im.Dir)
	if err != nil {
		return nil // no database yet: nothing holds anything
	}
	defer db.Close()
	for eco, ix := range db.files {
		if touched[eco] {
			continue
		}
		ids, err := ix.ids()
		if err != nil {
			return fmt.Errorf("read the %s advisories: %w", eco, err)
		}
		if slices.ContainsFunc(ids, func(id string) bool { return b.records[id] != nil }) {
			touched[eco] = true
		}
	}
	return nil
}

// build writes the new file of one ecosystem to a temporary file in the
// database folder and returns its path.
func (im *Importer) build(eco string, p *rebuildPlan, b *batch, opt commitOptions, now time.Time) (string, EcosystemInfo, error) {
	records := map[string]*Record{}
	info := EcosystemInfo{Ecosystem: eco, Updated: now, Source: opt.source, ETag: opt.etag, LastModified: opt.lastModified}
	if opt.replace != eco {
		old, err := im.stored(eco, b)
		if err != nil {
			return "", info, err
		}
		records = old.records
		if old.found {
			info.ETag, info.LastModified = old.info.ETag, old.info.LastModified
		}
	}
	for id, r := range p.parts[eco] {
		records[id] = r
	}
	packages, ids, err := pack(eco, records, &info)
	if err != nil {
		return "", info, err
	}
	f, err := os.CreateTemp(im.Dir, "."+fileName(eco)+".tmp-*")
	if err != nil {
		return "", info, fmt.Errorf("write the %s advisories: %w", eco, err)
	}
	err = writeIndex(f, info, packages, ids)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return f.Name(), info, fmt.Errorf("write the %s advisories: %w", eco, err)
	}
	return f.Name(), info, nil
}

// storedEcosystem is what the database holds of one ecosystem.
type storedEcosystem struct {
	found   bool
	info    EcosystemInfo
	records map[string]*Record
}

// stored reads back one ecosystem's records, merging each record's
// per-package parts, and leaves out the records the batch replaces.
func (im *Importer) stored(eco string, b *batch) (storedEcosystem, error) {
	out := storedEcosystem{records: map[string]*Record{}}
	ix, err := openIndex(filepath.Join(im.Dir, fileName(eco)))
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("read the stored %s advisories: %w", eco, err)
	}
	defer ix.Close()
	out.found, out.info = true, ix.hdr.EcosystemInfo
	err = ix.each(func(_ string, val []byte) error {
		var recs []Record
		if err := json.Unmarshal(val, &recs); err != nil {
			return errCorrupt
		}
		for i := range recs {
			r := &recs[i]
			switch prev := out.records[r.ID]; {
			case b.records[r.ID] != nil:
			case prev != nil:
				prev.Affected = append(prev.Affected, r.Affected...)
			default:
				out.records[r.ID] = r
			}
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("read the stored %s advisories: %w", eco, err)
	}
	return out, nil
}

// pack groups an ecosystem's records by package key, as the index stores
// them, and fills in the counts of info.
func pack(eco string, records map[string]*Record, info *EcosystemInfo) (map[string][]byte, []string, error) {
	byKey := map[string][]Record{}
	ids := make([]string, 0, len(records))
	for id, r := range records {
		ids = append(ids, id)
		info.Records++
		if r.IsWithdrawn() {
			info.Withdrawn++
		}
		if r.Modified.After(info.Newest) {
			info.Newest = r.Modified
		}
		groups := map[string][]Affected{}
		var keys []string
		for _, a := range r.Affected {
			k := packageKey(eco, a.Name)
			if groups[k] == nil {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], a)
		}
		for _, k := range keys {
			part := *r
			part.Affected = groups[k]
			byKey[k] = append(byKey[k], part)
		}
	}
	packages := make(map[string][]byte, len(byKey))
	for k, recs := range byKey {
		slices.SortFunc(recs, func(a, b Record) int { return strings.Compare(a.ID, b.ID) })
		data, err := json.Marshal(recs)
		if err != nil {
			return nil, nil, fmt.Errorf("store the %s advisories of %s: %w", eco, k, err)
		}
		packages[k] = data
	}
	info.Packages = len(packages)
	return packages, ids, nil
}

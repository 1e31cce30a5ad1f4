package sbom

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/github/go-spdx/v2/spdxexp"
	"github.com/google/uuid"
	"github.com/runwayhq/runway"
)

// App is the software an SBOM describes: the root component, on which
// every direct dependency hangs.
type App struct {
	Name    string
	Version string
}

// model is the inventory made ready for both formats: one item per
// package (the same package found in two lockfiles is one item), sorted
// by reference, with dependencies that point only at items present.
type model struct {
	app     App
	tool    string
	items   []item
	direct  []*item
	content [sha256.Size]byte
}

// item is one package in an SBOM.
type item struct {
	runway.Component
	// ref identifies the item within the SBOM: its purl.
	ref     string
	sources []string
}

// newModel merges the inventory's components by purl. Merged, an item is
// direct if any occurrence is, dev only if every occurrence is, and
// carries every licence, dependency and source file found.
func newModel(app App, inv *runway.Inventory, toolVersion string) *model {
	m := &model{app: app, tool: toolVersion}
	at := map[string]int{}
	for _, c := range inv.Components {
		ref := c.PURL
		if ref == "" {
			ref = fmt.Sprintf("component:%s/%s@%s", c.Ecosystem, c.Name, c.Version)
		}
		i, ok := at[ref]
		if !ok {
			at[ref] = len(m.items)
			m.items = append(m.items, item{Component: c, ref: ref, sources: []string{c.Source}})
			continue
		}
		it := &m.items[i]
		it.Direct = it.Direct || c.Direct
		it.Dev = it.Dev && c.Dev
		it.Licenses = union(it.Licenses, c.Licenses)
		it.DependsOn = union(it.DependsOn, c.DependsOn)
		it.IntroducedBy = union(it.IntroducedBy, c.IntroducedBy)
		it.sources = union(it.sources, []string{c.Source})
	}
	slices.SortFunc(m.items, func(a, b item) int { return strings.Compare(a.ref, b.ref) })
	for i := range m.items {
		it := &m.items[i]
		it.DependsOn = slices.DeleteFunc(slices.Clone(it.DependsOn), func(ref string) bool { _, ok := at[ref]; return !ok || ref == it.ref })
		if it.Direct {
			it.IntroducedBy = nil
			m.direct = append(m.direct, it)
		}
	}
	m.content = m.hash()
	return m
}

// hash is a digest of everything the SBOM says except when it was made:
// the serial number and namespace derive from it, so the same app and
// inventory always give the same documents.
func (m *model) hash() [sha256.Size]byte {
	type hashed struct {
		App   App
		Tool  string
		Items []runway.Component
	}
	h := hashed{App: m.app, Tool: m.tool}
	for _, it := range m.items {
		c := it.Component
		c.Source = strings.Join(it.sources, "\n")
		h.Items = append(h.Items, c)
	}
	data, err := json.Marshal(h)
	if err != nil {
		panic(err) // plain structs of strings and bools always marshal
	}
	return sha256.Sum256(data)
}

// uuid is a name-based (version 5) UUID of the content.
func (m *model) uuid() string {
	return uuid.NewSHA1(uuid.NameSpaceOID, m.content[:]).String()
}

// union returns the sorted, duplicate-free union of a and b.
func union(a, b []string) []string {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// license is a declared licence, classified against the SPDX licence
// list: an identifier ("MIT"), a valid expression ("MIT OR Apache-2.0"),
// or free text that is neither ("SEE LICENSE IN LICENSE.md").
type license struct {
	raw string
	// id is the canonical SPDX identifier of a single listed licence.
	id string
	// expr is the normalised expression of a valid one, id included.
	expr string
}

// classify sorts a declared licence string.
func classify(raw string) license {
	l := license{raw: raw}
	if ok, id := spdxexp.ActiveLicense(raw); ok {
		l.id, l.expr = id, id
		return l
	}
	if norm, invalid := spdxexp.ValidateAndNormalizeLicensesWithOptions([]string{raw}, spdxexp.ValidateLicensesOptions{}); len(invalid) == 0 && len(norm) == 1 {
		l.expr = norm[0]
	}
	return l
}

// valid reports whether the licence is an SPDX identifier or expression.
func (l license) valid() bool { return l.expr != "" }

// compound reports whether the licence is an expression of more than one
// term ("MIT OR Apache-2.0", "GPL-2.0+ WITH Classpath-exception-2.0").
func (l license) compound() bool { return l.valid() && l.id == "" }

var refChars = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// ref is the LicenseRef- identifier SPDX documents use for a licence
// that is not on the list: readable, and unique per text.
func (l license) ref() string {
	sum := sha256.Sum256([]byte(l.raw))
	name := strings.Trim(refChars.ReplaceAllString(l.raw, "-"), "-")
	if len(name) > 40 {
		name = name[:40]
	}
	return "LicenseRef-" + name + "-" + hex.EncodeToString(sum[:4])
}

// spdxTerm is the licence as a term of an SPDX expression: parenthesised
// when compound, a LicenseRef when not on the list.
func (l license) spdxTerm() string {
	switch {
	case l.id != "":
		return l.id
	case l.valid():
		return "(" + l.expr + ")"
	}
	return l.ref()
}

// spdxExpression joins several declared licences into one SPDX
// expression: a package that declares two licences is under both.
func spdxExpression(ls []license) string {
	if len(ls) == 1 && ls[0].valid() {
		return ls[0].expr
	}
	terms := make([]string, len(ls))
	for i, l := range ls {
		terms[i] = l.spdxTerm()
	}
	return strings.Join(terms, " AND ")
}

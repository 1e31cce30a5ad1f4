package sbom

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/github/go-spdx/v2/spdxexp/spdxlicenses"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"
)

const noAssertion = "NOASSERTION"

// writeSPDX writes m as an SPDX 2.3 JSON document. namespace is the base
// of the document's unique namespace URI.
func writeSPDX(w io.Writer, m *model, now time.Time, namespace string) error {
	doc := &spdx.Document{
		SPDXVersion:       spdx.Version,
		DataLicense:       spdx.DataLicense,
		SPDXIdentifier:    common.ElementID("DOCUMENT"),
		DocumentName:      m.app.Name,
		DocumentNamespace: strings.TrimSuffix(namespace, "/") + "/" + idChars.ReplaceAllString(m.app.Name, "-") + "-" + m.uuid(),
		CreationInfo: &spdx.CreationInfo{
			LicenseListVersion: licenseListVersion(),
			Creators:           []common.Creator{{CreatorType: "Tool", Creator: "runway-" + m.tool}},
			Created:            now.UTC().Format(time.RFC3339),
		},
	}
	appID := spdxID("Application", m.app.Name, m.app.Version, "")
	doc.Packages = append(doc.Packages, &spdx.Package{
		PackageName:             m.app.Name,
		PackageSPDXIdentifier:   appID,
		PackageVersion:          m.app.Version,
		PackageDownloadLocation: noAssertion,
		PackageLicenseConcluded: noAssertion,
		PackageLicenseDeclared:  noAssertion,
		PackageCopyrightText:    noAssertion,
		PrimaryPackagePurpose:   "APPLICATION",
	})
	ids := make(map[string]common.ElementID, len(m.items))
	for i := range m.items {
		it := &m.items[i]
		ids[it.ref] = spdxID("Package", it.Name, it.Version, it.ref)
	}
	others := map[string]*spdx.OtherLicense{}
	for i := range m.items {
		doc.Packages = append(doc.Packages, spdxPackage(&m.items[i], ids[m.items[i].ref], others))
	}
	doc.OtherLicenses = sortedOthers(others)
	doc.Relationships = spdxRelationships(m, appID, ids)
	return spdxjson.Write(doc, w, spdxjson.Indent("  "), spdxjson.EscapeHTML(false))
}

// licenseListVersion is the SPDX licence list version the licence checks
// use, as "major.minor".
func licenseListVersion() string {
	parts := strings.SplitN(spdxlicenses.LicenseListVersion(), ".", 3)
	if len(parts) < 2 {
		return ""
	}
	return parts[0] + "." + parts[1]
}

var idChars = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// spdxID is an element identifier: readable (kind, name and version) and,
// through a digest of key, unique even when two names read alike once
// cleaned to the characters SPDX allows.
func spdxID(kind, name, version, key string) common.ElementID {
	id := kind + "-" + strings.Trim(idChars.ReplaceAllString(name, "-"), "-")
	if version != "" {
		id += "-" + strings.Trim(idChars.ReplaceAllString(version, "-"), "-")
	}
	if key != "" {
		sum := sha256.Sum256([]byte(key))
		id += "-" + hex.EncodeToString(sum[:4])
	}
	return common.ElementID(id)
}

// spdxPackage is one package as an SPDX package. Licences that are not on
// the SPDX list become LicenseRefs, recorded in others.
func spdxPackage(it *item, id common.ElementID, others map[string]*spdx.OtherLicense) *spdx.Package {
	p := &spdx.Package{
		PackageName:             it.Name,
		PackageSPDXIdentifier:   id,
		PackageVersion:          it.Version,
		PackageDownloadLocation: noAssertion,
		PackageLicenseConcluded: noAssertion,
		PackageLicenseDeclared:  noAssertion,
		PackageCopyrightText:    noAssertion,
		PrimaryPackagePurpose:   "LIBRARY",
		PackageComment:          comment(it),
	}
	if it.PURL != "" {
		p.PackageExternalReferences = []*spdx.PackageExternalReference{{
			Category: common.CategoryPackageManager,
			RefType:  "purl",
			Locator:  it.PURL,
		}}
	}
	if len(it.Licenses) > 0 {
		ls := make([]license, len(it.Licenses))
		for i, raw := range it.Licenses {
			ls[i] = classify(raw)
			if !ls[i].valid() {
				others[ls[i].ref()] = &spdx.OtherLicense{
					LicenseIdentifier: ls[i].ref(),
					ExtractedText:     ls[i].raw,
					LicenseName:       ls[i].raw,
					LicenseComment:    "Declared by the package; not an SPDX licence identifier.",
				}
			}
		}
		p.PackageLicenseDeclared = spdxExpression(ls)
	}
	return p
}

// comment says, in words, what Runway knows about a package.
func comment(it *item) string {
	var b strings.Builder
	if it.Direct {
		b.WriteString("Direct dependency")
	} else {
		b.WriteString("Transitive dependency")
		if len(it.IntroducedBy) > 0 {
			b.WriteString(", pulled in by " + strings.Join(it.IntroducedBy, ", "))
		}
	}
	if it.Dev {
		b.WriteString("; used only to build or test the app")
	}
	b.WriteString(". Found in " + strings.Join(it.sources, ", ") + ".")
	return b.String()
}

func sortedOthers(others map[string]*spdx.OtherLicense) []*spdx.OtherLicense {
	out := make([]*spdx.OtherLicense, 0, len(others))
	for _, o := range others {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b *spdx.OtherLicense) int { return strings.Compare(a.LicenseIdentifier, b.LicenseIdentifier) })
	return out
}

// spdxRelationships: the document describes the app; the app depends on
// its direct production dependencies, and its dev dependencies are
// DEV_DEPENDENCY_OF it; each package depends on what its lockfile says.
func spdxRelationships(m *model, appID common.ElementID, ids map[string]common.ElementID) []*spdx.Relationship {
	rel := func(a common.ElementID, kind string, b common.ElementID) *spdx.Relationship {
		return &spdx.Relationship{RefA: common.MakeDocElementID("", string(a)), RefB: common.MakeDocElementID("", string(b)), Relationship: kind}
	}
	out := []*spdx.Relationship{rel("DOCUMENT", common.TypeRelationshipDescribe, appID)}
	var rest []*spdx.Relationship
	for _, it := range m.direct {
		if it.Dev {
			rest = append(rest, rel(ids[it.ref], common.TypeRelationshipDevDependencyOf, appID))
		} else {
			rest = append(rest, rel(appID, common.TypeRelationshipDependsOn, ids[it.ref]))
		}
	}
	for i := range m.items {
		for _, dep := range m.items[i].DependsOn {
			rest = append(rest, rel(ids[m.items[i].ref], common.TypeRelationshipDependsOn, ids[dep]))
		}
	}
	slices.SortFunc(rest, func(a, b *spdx.Relationship) int {
		return cmp.Or(
			strings.Compare(string(a.RefA.ElementRefID), string(b.RefA.ElementRefID)),
			strings.Compare(a.Relationship, b.Relationship),
			strings.Compare(string(a.RefB.ElementRefID), string(b.RefB.ElementRefID)),
		)
	})
	return append(out, rest...)
}

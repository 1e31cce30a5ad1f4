package sbom

import (
	"io"
	"strconv"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// appRef is the bom-ref of the app in the CycloneDX document.
const appRef = "runway-app"

// writeCycloneDX writes m as a CycloneDX 1.6 JSON document.
func writeCycloneDX(w io.Writer, m *model, now time.Time) error {
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.JSONSchema = "http://cyclonedx.org/schema/bom-1.6.schema.json"
	bom.SerialNumber = "urn:uuid:" + m.uuid()
	bom.Metadata = &cdx.Metadata{
		Timestamp:  now.UTC().Format(time.RFC3339),
		Lifecycles: &[]cdx.Lifecycle{{Phase: cdx.LifecyclePhasePreBuild}},
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type:    cdx.ComponentTypeApplication,
			Name:    "runway",
			Version: m.tool,
		}}},
		Component: &cdx.Component{
			BOMRef:  appRef,
			Type:    cdx.ComponentTypeApplication,
			Name:    m.app.Name,
			Version: m.app.Version,
		},
	}
	comps := make([]cdx.Component, len(m.items))
	deps := make([]cdx.Dependency, 0, len(m.items)+1)
	deps = append(deps, cdx.Dependency{Ref: appRef, Dependencies: refs(m.direct)})
	for i := range m.items {
		comps[i] = cdxComponent(&m.items[i])
		on := append([]string{}, m.items[i].DependsOn...)
		deps = append(deps, cdx.Dependency{Ref: m.items[i].ref, Dependencies: &on})
	}
	bom.Components = &comps
	bom.Dependencies = &deps
	return cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON).SetPretty(true).SetEscapeHTML(false).Encode(bom)
}

// refs returns the references of items, in their order.
func refs(items []*item) *[]string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ref
	}
	return &out
}

// cdxComponent is one package as a CycloneDX component. npm scopes become
// the group, as CycloneDX's own npm tooling does; dev dependencies have
// the scope "excluded" (not part of what runs); Runway's facts are
// properties.
func cdxComponent(it *item) cdx.Component {
	c := cdx.Component{
		BOMRef:     it.ref,
		Type:       cdx.ComponentTypeLibrary,
		Name:       it.Name,
		Version:    it.Version,
		PackageURL: it.PURL,
		Scope:      cdx.ScopeRequired,
		Licenses:   cdxLicenses(it.Licenses),
	}
	if it.Ecosystem == "npm" && strings.HasPrefix(it.Name, "@") {
		if i := strings.Index(it.Name, "/"); i > 0 {
			c.Group, c.Name = it.Name[:i], it.Name[i+1:]
		}
	}
	if it.Dev {
		c.Scope = cdx.ScopeExcluded
	}
	props := []cdx.Property{
		{Name: "runway:ecosystem", Value: it.Ecosystem},
		{Name: "runway:direct", Value: strconv.FormatBool(it.Direct)},
		{Name: "runway:dev", Value: strconv.FormatBool(it.Dev)},
	}
	for _, name := range it.IntroducedBy {
		props = append(props, cdx.Property{Name: "runway:introduced_by", Value: name})
	}
	for _, s := range it.sources {
		props = append(props, cdx.Property{Name: "runway:source", Value: s})
	}
	c.Properties = &props
	return c
}

// cdxLicenses turns declared licences into CycloneDX licence choices:
// listed identifiers as ids, free text as names, and anything with a
// compound expression as one expression (CycloneDX allows either a list
// of licences or a single expression).
func cdxLicenses(raw []string) *cdx.Licenses {
	if len(raw) == 0 {
		return nil
	}
	ls := make([]license, len(raw))
	compound := false
	for i, r := range raw {
		ls[i] = classify(r)
		compound = compound || ls[i].compound()
	}
	if compound {
		return &cdx.Licenses{{Expression: spdxExpression(ls)}}
	}
	out := make(cdx.Licenses, len(ls))
	for i, l := range ls {
		if l.id != "" {
			out[i] = cdx.LicenseChoice{License: &cdx.License{ID: l.id}}
		} else {
			out[i] = cdx.LicenseChoice{License: &cdx.License{Name: l.raw}}
		}
	}
	return &out
}

package runway

// Inventory is what an app is built from: every dependency its lockfiles
// and manifests name. The SBOM, the vulnerability check and policy all read
// the same inventory.
type Inventory struct {
	Components []Component `json:"components"`
	// Sources are the files read, relative to the app's folder.
	Sources []string `json:"sources"`
}

// Component is one dependency at one version.
type Component struct {
	// Ecosystem is the OSV ecosystem name: npm, Go, PyPI, Maven.
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	Version   string `json:"version"`
	// PURL is the package URL (pkg:npm/lodash@4.17.21), the component's
	// identity across SBOMs.
	PURL string `json:"purl"`
	// Licenses are SPDX identifiers or expressions, when known.
	Licenses []string `json:"licenses"`
	// Direct is true for a dependency the app names itself.
	Direct bool `json:"direct"`
	// Dev is true for a dependency used only to build or test the app.
	Dev bool `json:"dev"`
	// Source is the file the component was found in.
	Source string `json:"source"`
	// DependsOn lists the PURLs of the components this one requires, when
	// the source tells.
	DependsOn []string `json:"depends_on,omitempty"`
	// IntroducedBy lists the names of the direct dependencies that pull a
	// transitive component in, when the source tells.
	IntroducedBy []string `json:"introduced_by,omitempty"`
}

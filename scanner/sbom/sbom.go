// Package sbom writes an app's software bill of materials: CycloneDX 1.6
// JSON (with github.com/CycloneDX/cyclonedx-go) and SPDX 2.3 JSON (with
// github.com/spdx/tools-golang), both from the same runway.Inventory, with
// purls, versions, licences, the dependency graph, tool and timestamp
// metadata, in a deterministic order so that two SBOMs diff cleanly.
//
// New is the "sbom" check of the gate; Write serves any caller that holds
// an inventory (the server, later). The package imports the root package
// and no other Runway package: it never reads lockfiles itself.
package sbom

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/runwayhq/runway"
)

// File names of the SBOMs in the artifacts folder.
const (
	CycloneDXFile = "sbom.cdx.json"
	SPDXFile      = "sbom.spdx.json"
)

// DefaultNamespace is the base of SPDX document namespaces when Options
// sets none. The .invalid domain never resolves: the namespace is a unique
// name, not a place to fetch the document from.
const DefaultNamespace = "https://runway.invalid/spdx"

// Options configure the SBOMs.
type Options struct {
	// Version is Runway's version, recorded as the tool that made the SBOM.
	Version string
	// Now returns the time recorded as the SBOM's creation; nil means
	// time.Now.
	Now func() time.Time
	// Namespace is the base URI of SPDX document namespaces (the platform's
	// address, say); empty means DefaultNamespace.
	Namespace string
}

func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

func (o Options) namespace() string {
	if o.Namespace == "" {
		return DefaultNamespace
	}
	return o.Namespace
}

// Files are the SBOMs Write wrote: their paths and what they count.
type Files struct {
	CycloneDX string
	SPDX      string
	// Components counts the packages in the SBOMs (the app aside); the same
	// package found in two lockfiles counts once.
	Components int
	// Direct and Dev count the direct and the dev-only packages.
	Direct, Dev int
}

// Write writes the CycloneDX and SPDX SBOMs of app, built from inv, into
// dir (created if missing), replacing any earlier ones whole.
func Write(dir string, app App, inv *runway.Inventory, opts Options) (Files, error) {
	m := newModel(app, inv, opts.Version)
	now := opts.now()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Files{}, fmt.Errorf("create %s: %w", dir, err)
	}
	files := Files{CycloneDX: filepath.Join(dir, CycloneDXFile), SPDX: filepath.Join(dir, SPDXFile), Components: len(m.items), Direct: len(m.direct)}
	for _, it := range m.items {
		if it.Dev {
			files.Dev++
		}
	}
	if err := writeFile(files.CycloneDX, func(w io.Writer) error { return writeCycloneDX(w, m, now) }); err != nil {
		return Files{}, err
	}
	if err := writeFile(files.SPDX, func(w io.Writer) error { return writeSPDX(w, m, now, opts.namespace()) }); err != nil {
		return Files{}, err
	}
	return files, nil
}

// WriteCycloneDX writes the CycloneDX 1.6 JSON SBOM of app to w.
func WriteCycloneDX(w io.Writer, app App, inv *runway.Inventory, opts Options) error {
	return writeCycloneDX(w, newModel(app, inv, opts.Version), opts.now())
}

// WriteSPDX writes the SPDX 2.3 JSON SBOM of app to w.
func WriteSPDX(w io.Writer, app App, inv *runway.Inventory, opts Options) error {
	return writeSPDX(w, newModel(app, inv, opts.Version), opts.now(), opts.namespace())
}

// writeFile writes path through a temporary file renamed into place, so
// a reader never sees half an SBOM.
func writeFile(path string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// New returns the "sbom" check: it takes the shared inventory and writes
// both SBOMs into the artifacts folder.
func New(opts Options) runway.Check { return &check{opts: opts} }

type check struct{ opts Options }

func (c *check) Name() string    { return "sbom" }
func (c *check) Needs() []string { return nil }

// Run writes the SBOMs. A lockfile the inventory cannot read fails the
// check with the inventory's own explanation; a failure to write is an
// error.
func (c *check) Run(ctx context.Context, ws *runway.Workspace, log io.Writer) runway.CheckOutcome {
	if ws.Inventory == nil {
		return runway.CheckOutcome{Status: runway.StatusError, Summary: "The SBOM needs the list of your app's dependencies, which this build of Runway does not provide. This is a bug in Runway; please report it."}
	}
	inv, err := ws.Inventory()
	if err != nil {
		fmt.Fprintf(log, "inventory: %v\n", err)
		if runway.ErrorCode(err) == runway.EINVALID {
			return runway.CheckOutcome{Status: runway.StatusFail, Summary: "No SBOM was written: " + runway.ErrorMessage(err)}
		}
		return runway.CheckOutcome{Status: runway.StatusError, Summary: "No SBOM was written: listing your app's dependencies failed unexpectedly (the check's log has the details). This is likely a bug in Runway; please report it with the log."}
	}
	if err := ctx.Err(); err != nil {
		return runway.CheckOutcome{Status: runway.StatusError, Summary: "Stopped before the SBOM was written."}
	}
	files, err := Write(ws.OutDir, appOf(ws), inv, c.opts)
	if err != nil {
		fmt.Fprintf(log, "write: %v\n", err)
		return runway.CheckOutcome{Status: runway.StatusError, Summary: fmt.Sprintf("The SBOM could not be written to %s. Check that the folder is writable, or choose another with --out.", ws.OutDir)}
	}
	fmt.Fprintf(log, "wrote %s and %s: %d components from %s\n", files.CycloneDX, files.SPDX, files.Components, strings.Join(inv.Sources, ", "))
	return outcome(ws, inv, files)
}

// outcome reports the SBOMs: where they are, relative to the app's folder
// when inside it, and what they count.
func outcome(ws *runway.Workspace, inv *runway.Inventory, files Files) runway.CheckOutcome {
	summary := fmt.Sprintf("SBOM written: %d components (CycloneDX 1.6 and SPDX 2.3).", files.Components)
	switch {
	case len(inv.Sources) == 0:
		summary = "SBOM written with no dependencies, because no lockfile was found (CycloneDX 1.6 and SPDX 2.3). If your app uses packages, commit its lockfile (package-lock.json, yarn.lock, go.sum, poetry.lock...) so they are listed and checked."
	case files.Components == 1:
		summary = "SBOM written: 1 component (CycloneDX 1.6 and SPDX 2.3)."
	}
	sources := append([]string{}, inv.Sources...)
	return runway.CheckOutcome{
		Status:  runway.StatusPass,
		Summary: summary,
		SBOM: &runway.SBOMSummary{
			CycloneDX:  relative(ws.Dir, files.CycloneDX),
			SPDX:       relative(ws.Dir, files.SPDX),
			Components: files.Components,
		},
		Details: map[string]any{
			"components": files.Components,
			"direct":     files.Direct,
			"dev":        files.Dev,
			"sources":    sources,
		},
	}
}

// relative returns path relative to dir, with forward slashes, when it is
// inside dir; otherwise path itself.
func relative(dir, path string) string {
	rel, err := filepath.Rel(dir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return filepath.ToSlash(rel)
}

// appOf names the app: its manifest's name, else its folder's.
func appOf(ws *runway.Workspace) App {
	if ws.Manifest != nil && ws.Manifest.Name != "" {
		return App{Name: ws.Manifest.Name}
	}
	return App{Name: filepath.Base(ws.Dir)}
}

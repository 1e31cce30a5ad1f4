package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/release"
	"github.com/runwayhq/runway/scanner/inventory"
	"github.com/runwayhq/runway/sourcepack"
)

// submitCommand is `runway submit`: send the last check to the server as a
// release candidate.
func (a *app) submitCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "submit [DIR]",
		Short: "Send the app's last check to the Runway server as a release candidate",
		Long: "Send runway.yaml, the report of the last `runway check` (.runway/report.json), the dependency inventory and a digest of the source " +
			"to the server in RUNWAY_URL. The server decides again with the organisation's policies; its decision, not the local one, counts.",
		Args: cobra.MaximumNArgs(1),
	}
	output := outputFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		dir := "."
		if len(args) == 1 {
			dir = args[0]
		}
		sub, err := readSubmission(dir)
		if err != nil {
			return err
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		var cand runway.Candidate
		if err := c.do(cmd.Context(), "POST", "/api/v1/candidates", sub, &cand); err != nil {
			return err
		}
		if *output == "json" {
			return a.printJSON(cand)
		}
		if err := a.printCandidate(&cand); err != nil {
			return err
		}
		if cand.Decision == runway.DecisionBlocked {
			a.exit = exitBlocked
		}
		return nil
	}
	return cmd
}

// readSubmission gathers what `runway submit` sends from the app's folder.
func readSubmission(dir string) (*release.Submission, error) {
	manifest, err := os.ReadFile(filepath.Join(dir, "runway.yaml"))
	if err != nil {
		return nil, runway.Errorf(runway.EINVALID, "there is no runway.yaml in %s: run `runway submit` in the app's folder", dir)
	}
	data, err := os.ReadFile(filepath.Join(dir, ".runway", "report.json"))
	if err != nil {
		return nil, runway.Errorf(runway.EINVALID, "there is no check report in %s: run `runway check` first", filepath.Join(dir, ".runway"))
	}
	var r runway.Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, runway.Errorf(runway.EINVALID, "the check report in .runway/report.json is damaged: run `runway check` again")
	}
	inv, err := inventory.Scan(dir)
	if err != nil {
		return nil, err
	}
	files, err := sourceFiles(dir)
	if err != nil {
		return nil, err
	}
	archive, digest, err := sourcepack.Pack(dir, files, sourcepack.DefaultLimits)
	if err != nil {
		return nil, err
	}
	sub := &release.Submission{Manifest: manifest, Report: &r, Inventory: inv, SourceDigest: digest, Source: archive}
	for name, dst := range map[string]*json.RawMessage{"sbom.cdx.json": &sub.SBOMs.CycloneDX, "sbom.spdx.json": &sub.SBOMs.SPDX} {
		data, err := os.ReadFile(filepath.Join(dir, ".runway", name))
		if errors.Is(err, fs.ErrNotExist) {
			continue // the check made none; policy decides what that means
		} else if err != nil {
			return nil, err
		}
		*dst = data
	}
	return sub, nil
}

// skipInDigest are folders that are not source: generated, installed or
// version control.
var skipInDigest = map[string]bool{".git": true, ".runway": true, "node_modules": true, "vendor": true}

// sourceFiles lists the app's source: in a git work tree the files git
// tracks or would track (ignored files left out); elsewhere, all files but
// generated and installed folders. sourcepack packs them and computes the
// source digest.
func sourceFiles(dir string) ([]sourcepack.File, error) {
	paths, err := gitFiles(dir)
	if err != nil {
		paths, err = walkFiles(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("list the source files: %w", err)
	}
	files := make([]sourcepack.File, 0, len(paths))
	for _, rel := range paths {
		fi, err := os.Lstat(filepath.Join(dir, rel))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted but not yet committed
		} else if err != nil {
			return nil, err
		}
		if fi.Mode().IsRegular() {
			files = append(files, sourcepack.File{Path: filepath.ToSlash(rel), Executable: fi.Mode()&0o111 != 0})
		}
	}
	return files, nil
}

func gitFiles(dir string) ([]string, error) {
	out, err := exec.Command("git", "-C", dir, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		return nil, err
	}
	var files []string
	for _, f := range bytes.Split(out, []byte{0}) {
		if len(f) > 0 && !skipInDigest[strings.SplitN(string(f), "/", 2)[0]] {
			files = append(files, string(f))
		}
	}
	return slices.Compact(files), nil
}

func walkFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && skipInDigest[d.Name()] {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(dir, path)
			files = append(files, rel)
			return err
		}
		return nil
	})
	return files, err
}

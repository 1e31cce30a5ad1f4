// Package secrets is the gate's secrets check: it finds keys, tokens,
// passwords and private keys written in an app's files (and, on request, in
// its git history) with gitleaks' detector and its default rules, and turns
// each into a plain-language finding that never shows the value.
//
// The working tree is walked here, not by gitleaks: .gitignore files (nested
// ones too) and the repository's info/exclude are respected, files git
// tracks are scanned even when ignored, and vendored code (node_modules,
// vendor, bower_components) is skipped unless asked for. The history is read
// with the git command through gitleaks' git source. Given a cache folder,
// the check remembers what it found per file (never a value) and rescans
// only files whose content changed.
//
// Suppression is not done here: the check runner applies runway.allow.yaml
// and inline `runway:allow` comments to every check's findings by ID or by
// rule, file and line. gitleaks' own `gitleaks:allow` comments and
// .gitleaksignore files are deliberately ignored, since they carry no reason.
//
// It imports the root package only, nothing else of Runway.
package secrets

// Package sast is Runway's static analysis (SAST): the "sast" check of
// `runway check`. It reads JavaScript, TypeScript and Python with
// tree-sitter grammars and the rules in rules.yaml (tree-sitter queries
// plus a small intra-procedural taint step that follows request data
// through local variables), Go with gosec, and merges SARIF results from
// other tools (Semgrep, CodeQL, ESLint). docs/adr/0003-sast-rule-engine.md
// explains the design.
//
// Findings never block by themselves: policy decides. Suppression
// (runway:allow comments, runway.allow.yaml) is applied by the check
// runner, by rule, file and line, or by the stable finding ID.
//
// It imports the root package only, never another adapter.
package sast

// Package schema holds the published JSON Schemas (draft 2020-12) of
// Runway's file formats, for editors and for the parsers that enforce them.
// It imports nothing.
package schema

import _ "embed"

// Manifest is the JSON Schema of runway.yaml. The manifest package enforces
// it; `runway schema` prints it.
//
//go:embed runway.schema.json
var Manifest []byte

// Config is the JSON Schema of the CLI's config file.
//
//go:embed config.schema.json
var Config []byte

// CheckReport is the JSON Schema of the `runway check` report
// (runway.check/v1), the contract with CI, the server and policy authors.
//
//go:embed check-report.schema.json
var CheckReport []byte

// Allow is the JSON Schema of runway.allow.yaml, the accepted findings.
//
//go:embed allow.schema.json
var Allow []byte

// PolicyExceptions is the JSON Schema of the policy exceptions file that
// `runway check --exceptions` reads.
//
//go:embed policy-exceptions.schema.json
var PolicyExceptions []byte

// Connector is the JSON Schema of connector.yaml, a low-code connector.
// The connector package enforces it; `runway schema connector` prints it.
//
//go:embed connector.schema.json
var Connector []byte

// ConnectorTest is the JSON Schema of a connector's example tests
// (tests/*.yaml).
//
//go:embed connector-test.schema.json
var ConnectorTest []byte

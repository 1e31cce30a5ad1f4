package connector

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/schema"
	"github.com/runwayhq/runway/yamlfile"
)

// File is the name of a connector's file, beside runway.yaml.
const File = "connector.yaml"

// Connector is a compiled connector.yaml: its trigger and steps, every
// expression type-checked, every integration found in the manifest.
type Connector struct {
	// App is the app's name, from runway.yaml.
	App string
	// Description says what the connector does.
	Description string
	Trigger     Trigger

	steps []*step
	// integrations are the manifest's, by name; used are those the steps
	// and the trigger use.
	integrations []runway.Integration
	used         map[string]runway.Integration
	facts        Facts
}

var compiledSchema = sync.OnceValues(func() (*yamlfile.Schema, error) {
	return yamlfile.CompileSchema("connector.schema.json", schema.Connector)
})

// Exists reports whether dir holds a connector.yaml: whether the app is a
// connector.
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, File))
	return err == nil
}

// Load reads dir/connector.yaml and compiles it for the app m describes.
// A missing file is ENOTFOUND; problems with its content are a
// *yamlfile.Error, each with its line, column and what to do.
func Load(dir string, m *runway.Manifest) (*Connector, error) {
	doc, err := yamlfile.ReadFile(filepath.Join(dir, File), File, yamlfile.DefaultLimits)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &runway.Error{Code: runway.ENOTFOUND, Err: err,
			Message: "There is no connector.yaml in this folder: start a connector with `runway new connector`."}
	}
	if err != nil {
		return nil, err
	}
	return compileDocument(doc, m)
}

// Parse compiles a connector.yaml held in data.
func Parse(data []byte, m *runway.Manifest) (*Connector, error) {
	doc, err := yamlfile.Parse(File, data, yamlfile.DefaultLimits)
	if err != nil {
		return nil, err
	}
	return compileDocument(doc, m)
}

func compileDocument(doc *yamlfile.Document, m *runway.Manifest) (*Connector, error) {
	s, err := compiledSchema()
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(s); err != nil {
		return nil, err
	}
	c, err := newCompiler(doc, m)
	if err != nil {
		return nil, err
	}
	return c.compile()
}

// Facts are what policy sees of a connector (input.connector): its
// trigger, the actions its steps use, the integrations and hosts it may
// call.
type Facts struct {
	Trigger      TriggerFacts `json:"trigger"`
	Actions      []string     `json:"actions"`
	Steps        int          `json:"steps"`
	Integrations []string     `json:"integrations"`
	Hosts        []string     `json:"hosts"`
	// DynamicURLs is true when a step's address is worked out at run time;
	// the engine then checks its host against runway.yaml on every call.
	DynamicURLs bool `json:"dynamic_urls"`
}

// TriggerFacts describe the trigger.
type TriggerFacts struct {
	Kind     string `json:"kind"`
	Method   string `json:"method,omitempty"`
	Path     string `json:"path,omitempty"`
	Verify   string `json:"verify,omitempty"`
	Cron     string `json:"cron,omitempty"`
	TimeZone string `json:"time_zone,omitempty"`
}

// Facts returns what policy sees of c.
func (c *Connector) Facts() Facts { return c.facts }

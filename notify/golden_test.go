package notify

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/runwayhq/runway/runwaytest"
)

// golden compares got with a file under testdata; run the tests with
// -update to rewrite the files.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	runwaytest.Golden(t, path, got)
}

// indent encodes v as people read it: indented, without HTML escapes.
func indent(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGoldenSlackBlocks(t *testing.T) {
	t.Parallel()
	golden(t, filepath.Join("testdata", "slack.golden"), indent(t, slackBlocks(sampleNotice(), true)))
}

func TestGoldenSlackRejectDialog(t *testing.T) {
	t.Parallel()
	golden(t, filepath.Join("testdata", "slack-reject-dialog.golden"), indent(t, rejectDialog(42)))
}

func TestGoldenTeamsCard(t *testing.T) {
	t.Parallel()
	golden(t, filepath.Join("testdata", "teams.golden"), indent(t, teamsMessage(sampleNotice())))
}

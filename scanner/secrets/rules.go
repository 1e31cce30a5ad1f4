package secrets

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/rs/zerolog"
	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/logging"
	glregexp "github.com/zricethezav/gitleaks/v8/regexp"
)

// decodeDepth is how many rounds of decoding (base64, hex, percent) gitleaks
// tries on each fragment, the same as its command line's default.
const decodeDepth = 5

// vendoredDirs are folders of third-party code, skipped unless
// Options.IncludeVendored is set.
var vendoredDirs = map[string]bool{"node_modules": true, "vendor": true, "bower_components": true}

// defaultRules is gitleaks' default configuration, parsed once per
// process: compiling its two hundred regular expressions is the costliest
// part of a small scan.
var defaultRules = sync.OnceValues(loadRules)

// loadRules parses gitleaks' embedded default configuration.
func loadRules() (*config.Config, error) {
	silenceGitleaks()
	// A private viper instance: gitleaks' NewDetectorDefaultConfig uses the
	// global one, which is not safe to share between concurrent scans.
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(config.DefaultConfig)); err != nil {
		return nil, fmt.Errorf("read gitleaks default rules: %w", err)
	}
	var vc config.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		return nil, fmt.Errorf("decode gitleaks default rules: %w", err)
	}
	cfg, err := vc.Translate()
	if err != nil {
		return nil, fmt.Errorf("compile gitleaks default rules: %w", err)
	}
	return &cfg, nil
}

// vendoredRules is the default configuration without the global allowlist
// entries that skip vendored folders, for Options.IncludeVendored.
var vendoredRules = sync.OnceValues(func() (*config.Config, error) {
	cfg, err := defaultRules()
	if err != nil {
		return nil, err
	}
	return withoutVendoredPaths(cfg)
})

// silenceGitleaks points gitleaks' process-wide logger at nothing. Its trace
// and debug events carry secret values and its warnings go to stderr;
// everything the check has to say it writes to the check's log itself.
var silenceGitleaks = sync.OnceFunc(func() { logging.Logger = zerolog.Nop() })

// rules returns the configuration a scan uses.
func rules(includeVendored bool) (*config.Config, error) {
	if includeVendored {
		return vendoredRules()
	}
	return defaultRules()
}

// newDetector returns a detector over cfg, set up the same way for every
// scan: values kept in memory only long enough to fingerprint them, and
// `gitleaks:allow` comments ignored because a suppression needs a reason.
func newDetector(ctx context.Context, cfg *config.Config) *detect.Detector {
	d := detect.NewDetectorContext(ctx, *cfg)
	d.MaxDecodeDepth = decodeDepth
	d.IgnoreGitleaksAllow = true
	d.Verbose = false
	return d
}

// vendoredSamples are paths the global allowlist must stop skipping when
// vendored code is scanned.
var vendoredSamples = []string{"node_modules/pkg/index.js", "bower_components/pkg/index.js", "vendor/github.com/org/pkg/x.go", "vendor/bundle/ruby/x.rb"}

// withoutVendoredPaths returns a copy of cfg whose global allowlists no
// longer skip vendored folders. Rules are shared, not copied: detection
// never changes them. Allowlists are rebuilt from their exported fields,
// since gitleaks precompiles their paths into one expression.
func withoutVendoredPaths(cfg *config.Config) (*config.Config, error) {
	out := *cfg
	out.Allowlists = make([]*config.Allowlist, len(cfg.Allowlists))
	for i, a := range cfg.Allowlists {
		c := &config.Allowlist{
			Description:    a.Description,
			MatchCondition: a.MatchCondition,
			Commits:        a.Commits,
			Paths: slices.DeleteFunc(slices.Clone(a.Paths), func(re *glregexp.Regexp) bool {
				return slices.ContainsFunc(vendoredSamples, re.MatchString)
			}),
			RegexTarget: a.RegexTarget,
			Regexes:     a.Regexes,
			StopWords:   a.StopWords,
		}
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("rebuild gitleaks allowlist %q: %w", a.Description, err)
		}
		out.Allowlists[i] = c
	}
	return &out, nil
}

// skipPath reports whether gitleaks' global allowlist skips a path (images,
// fonts, lockfiles, go.sum...), the same test its own directory walker uses.
func skipPath(cfg *config.Config, rel string) bool {
	for _, a := range cfg.Allowlists {
		if a.PathAllowed(rel) {
			return true
		}
	}
	return false
}

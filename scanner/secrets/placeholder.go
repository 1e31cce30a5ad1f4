package secrets

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

// placeholderText matches values that stand in for a secret rather than
// being one: the words templates and examples use, runs of x or *, and
// template syntax (<your-token>, ${VAR}, {{ var }}, %VAR%).
var placeholderText = regexp.MustCompile(`(?i)change[_-]?(?:me|it)|replace[_-]?me|placeholder|example|sample|dummy|redacted|not[_-]?a[_-]?real|insert[_-]?(?:your|here)|x{5,}|\*{4,}|\.{3}|…|^(?:your|my)[_-]|[_-]here$|^<[^<>]*>$|^\[[^\[\]]*\]$|\$\{|\{\{|^%[A-Za-z_]+%$|^\$[A-Za-z_][A-Za-z0-9_]*$`)

// documentationSamples are the SHA-256 digests of keys that vendors print
// in their documentation for everyone to copy: they are public on purpose.
// Digests, not the keys, so that this file does not itself look like a
// leak to other scanners.
var documentationSamples = map[string]bool{
	"2cafc0970149a84f3b9e62eaf169f36f59907a3b3e31f7b82e68c69cd27f7326": true, // Stripe API reference test key
	"f2d6ca16515033e5dce14eba840b979d27b5cbae24bb3e5bf484339667f86397": true, // Stripe's older reference test key
	"3543c50b0cb9cea8e55eb1f529b79f043cb250d485fde7b66cabbb5183add7da": true, // GitHub docs' personal access token
	"7f75367e7881255134e1375e723d1dea8ad5f6a4fdb79d938df1f1754a830606": true, // jwt.io's sample token
}

// isPlaceholder reports whether a value found by a rule is a stand-in: empty,
// a template word or syntax, or a vendor's documentation sample.
func isPlaceholder(value string) bool {
	v := strings.TrimSpace(value)
	if v == "" {
		return true
	}
	if placeholderText.MatchString(v) {
		return true
	}
	sum := sha256.Sum256([]byte(v))
	return documentationSamples[hex.EncodeToString(sum[:])]
}

package connector

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"
)

// minSecret is the shortest secret value accepted: shorter ones could not
// be told apart from ordinary text, so they could not be hidden.
const minSecret = 8

// redactor hides secret values: the whole value, its encoded forms, and
// for a URL the parts that carry the credential (password, path, query).
type redactor struct {
	r *strings.Replacer
}

// newRedactor hides the secrets' values, each replaced by [NAME].
func newRedactor(secrets map[string]string) *redactor {
	type pair struct{ old, new string }
	var pairs []pair
	add := func(old, name string) {
		if len(old) >= minSecret {
			pairs = append(pairs, pair{old, "[" + name + "]"})
		}
	}
	for name, v := range secrets {
		add(v, name)
		add(url.QueryEscape(v), name)
		if js, err := json.Marshal(v); err == nil {
			add(strings.Trim(string(js), `"`), name)
		}
		if u, err := url.Parse(v); err == nil && u.Host != "" {
			if pw, ok := u.User.Password(); ok {
				add(pw, name)
				add(url.QueryEscape(pw), name)
			}
			add(u.EscapedPath(), name)
			add(u.Path, name)
			add(u.RawQuery, name)
		}
	}
	// Longer values first, so that a secret is replaced before a part of it.
	sort.Slice(pairs, func(i, j int) bool { return len(pairs[i].old) > len(pairs[j].old) })
	var args []string
	for _, p := range pairs {
		args = append(args, p.old, p.new)
	}
	return &redactor{r: strings.NewReplacer(args...)}
}

// text hides secrets in s.
func (r *redactor) text(s string) string { return r.r.Replace(s) }

// value hides secrets in every text of v, a plain Go value, and returns a
// copy.
func (r *redactor) value(v any) any {
	switch x := v.(type) {
	case string:
		return r.text(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			out[k] = r.value(item)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = r.value(item)
		}
		return out
	case map[string]string:
		out := make(map[string]string, len(x))
		for k, item := range x {
			out[k] = r.text(item)
		}
		return out
	}
	return v
}

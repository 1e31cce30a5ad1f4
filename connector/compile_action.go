package connector

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/cel-go/common/types"

	"github.com/runwayhq/runway"
)

// actionStep compiles a step that runs a prebuilt action.
func (c *compiler) actionStep(st *step, raw map[string]any, s *scope) *types.Type {
	a := actions[st.kind]
	st.action = a
	c.actions[a.name] = true
	ptr := st.ptr + "/" + escape(a.name)
	args, _ := raw[a.name].(map[string]any)
	st.args = map[string]*value{}
	for name, v := range args {
		if name == "integration" {
			continue
		}
		p, _ := a.param(name)
		st.args[name] = c.arg(s, st, p, v, ptr+"/"+escape(name))
	}
	c.timing(st, raw)
	if a.integration == "" {
		c.urlHost(st, ptr+"/url")
	} else {
		name, given := args["integration"].(string)
		if !given {
			name = a.integration
		} else {
			ptr += "/integration"
		}
		c.namedIntegration(st, name, ptr)
	}
	return a.outputType(c.p, st.id)
}

// arg compiles one argument and checks that its type fits the parameter.
func (c *compiler) arg(s *scope, st *step, p param, raw any, ptr string) *value {
	if p.kind == literalParam {
		if str, _ := raw.(string); placeholder.MatchString(str) {
			c.add(ptr, fmt.Sprintf("step `%s`: the %s must be written out, without ${{ }}", st.id, p.name),
				"Put each value in `params:` and write $1, $2, ... where it goes, such as `sql: SELECT name FROM customers WHERE email = $1` with `params: [\"${{ request.body.email }}\"]`. Values never become part of the SQL text, so they cannot change what it does.")
		}
		return &value{lit: raw}
	}
	if p.kind == textsParam {
		return c.value(s, raw, ptr, st.id, p.name)
	}
	v := c.value(s, raw, ptr, st.id, p.name)
	if v.kind != exprValue || v.expr == nil {
		return v
	}
	t := v.expr.t
	var want *types.Type
	switch p.kind {
	case textParam:
		want = types.StringType
	case intParam:
		want = types.IntType
	case listParam:
		want = types.NewListType(types.DynType)
	case textListParam:
		if assignable(t, types.NewListType(types.DynType)) {
			return v
		}
		want = types.StringType
	default:
		return v
	}
	if !assignable(t, want) {
		hint := ""
		if want.Kind() == types.StringKind {
			hint = fmt.Sprintf("Put it inside text, such as \"Total: ${{ %s }}\", or convert it: ${{ string(%s) }}.", v.expr.src, v.expr.src)
		}
		c.add(ptr, fmt.Sprintf("step `%s`, field `%s` must be %s, but `%s` gives %s", st.id, p.name, typeWords(want), v.expr.src, typeWords(t)), hint)
	}
	return v
}

// timing reads the step's timeout and retries.
func (c *compiler) timing(st *step, raw map[string]any) {
	st.timeout, st.retries = defaultTimeout, defaultRetries
	if n, ok := raw["retries"].(int64); ok {
		st.retries = int(n)
	}
	if s, ok := raw["timeout"].(string); ok {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 || d > maxTimeout {
			c.add(st.ptr+"/timeout", fmt.Sprintf("step `%s`: timeout `%s` must be more than 0 and at most 60s", st.id, s), "Write it like 10s or 500ms.")
			return
		}
		st.timeout = d
	}
}

// namedIntegration finds the integration a step names in the manifest.
func (c *compiler) namedIntegration(st *step, name, ptr string) {
	in, ok := c.integration(name)
	if !ok {
		c.add(ptr, fmt.Sprintf("step `%s` uses integration `%s`, which runway.yaml does not declare%s", st.id, name, didYouMean(name, c.integrationNames())),
			fmt.Sprintf("Add it under integrations: in runway.yaml, for example:\n  - name: %s\n    host: %s\n    requires_secret: true\n    secret: %s\nor set `integration:` in this step to one runway.yaml declares (%s).",
				name, exampleHost[st.action.name], exampleSecret[st.action.name], quoteList(c.integrationNames())))
		return
	}
	if st.action.secret == requiredSecret && in.Secret == "" {
		c.add(ptr, fmt.Sprintf("step `%s`: integration `%s` names no secret, but %s needs one", st.id, name, st.action.name),
			fmt.Sprintf("Add `requires_secret: true` and `secret: %s` to integration `%s` in runway.yaml: the secret is %s.", exampleSecret[st.action.name], name, secretWhat[st.action.name]))
	}
	st.integration = in
	c.use(in)
}

// urlHost checks, when it is written out, the host of a step's url.
func (c *compiler) urlHost(st *step, ptr string) {
	v := st.args["url"]
	host, scheme, dynamic := staticHost(v)
	if dynamic {
		c.dynamic = true
		return
	}
	in, ok := c.hostIntegration(host)
	switch {
	case host == "":
		c.add(ptr, fmt.Sprintf("step `%s`: the url is not a web address", st.id), "Write the full address, such as https://api.example.com/v1/items.")
	case !ok:
		c.add(ptr, fmt.Sprintf("step `%s` calls %s, which runway.yaml does not declare", st.id, host),
			fmt.Sprintf("Connectors may call only the hosts listed under integrations: in runway.yaml (now: %s). Add %s there if this call is intended, with its secret's name if it needs a key.", quoteList(c.declaredHosts()), host))
	case scheme == "http" && !isAddress(host):
		c.add(ptr, fmt.Sprintf("step `%s` calls %s over plain http", st.id, host), "Use https: plain http is allowed only to hosts declared by address, such as a test receiver on 127.0.0.1.")
	default:
		c.use(in)
	}
}

// staticHost returns the host and scheme of a url written out at least up
// to its host; dynamic is true when an expression decides the host.
func staticHost(v *value) (host, scheme string, dynamic bool) {
	text := ""
	switch {
	case v == nil:
		return "", "", false
	case v.isLiteral():
		text, _ = v.lit.(string)
	case v.kind == textValue && v.parts[0].expr == nil:
		text = v.parts[0].text
		i := strings.Index(text, "://")
		if i < 0 || !strings.ContainsAny(text[i+3:], "/?#:") {
			return "", "", true
		}
	default:
		return "", "", true
	}
	u, err := url.Parse(text)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "", "", false
	}
	return u.Hostname(), u.Scheme, false
}

func (c *compiler) use(in runway.Integration) {
	c.c.used[in.Name] = in
	c.hosts[in.Host] = true
}

func (c *compiler) integration(name string) (runway.Integration, bool) {
	for _, in := range c.m.Integrations {
		if in.Name == name {
			return in, true
		}
	}
	return runway.Integration{}, false
}

func (c *compiler) hostIntegration(host string) (runway.Integration, bool) {
	for _, in := range c.m.Integrations {
		if hostMatches(in.Host, host) {
			return in, true
		}
	}
	return runway.Integration{}, false
}

func (c *compiler) integrationNames() []string {
	var out []string
	for _, in := range c.m.Integrations {
		out = append(out, in.Name)
	}
	return out
}

func (c *compiler) declaredHosts() []string {
	var out []string
	for _, in := range c.m.Integrations {
		out = append(out, in.Host)
	}
	return out
}

// hostMatches reports whether host is the declared one, or, for a
// declared *.example.com, one of its subdomains.
func hostMatches(declared, host string) bool {
	declared, host = strings.ToLower(strings.TrimSuffix(declared, ".")), strings.ToLower(strings.TrimSuffix(host, "."))
	if suffix, ok := strings.CutPrefix(declared, "*."); ok {
		return strings.HasSuffix(host, "."+suffix)
	}
	return declared == host
}

// Examples for messages, by action.
var (
	exampleHost = map[string]string{"slack.post_message": "hooks.slack.com", "teams.post_card": "example.webhook.office.com",
		"postgres.query": "db.example.internal", "email.send": "smtp.example.com"}
	exampleSecret = map[string]string{"slack.post_message": "SLACK_WEBHOOK_URL", "teams.post_card": "TEAMS_WEBHOOK_URL",
		"postgres.query": "DATABASE_URL", "email.send": "SMTP_URL"}
	secretWhat = map[string]string{"slack.post_message": "the incoming webhook address (or a bot token when the step names a channel)",
		"teams.post_card": "the workflow's webhook address", "postgres.query": "the connection address, postgres://user:password@host/database",
		"email.send": "the mail server's address, smtp://user:password@host:587"}
)

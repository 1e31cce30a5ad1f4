package connector

import (
	"context"
	"net/http"
	"net/url"

	"github.com/google/cel-go/common/types"

	"github.com/runwayhq/runway"
)

// action is a prebuilt action: the parameters a step gives it, the
// integration and secret it uses, what it returns, and how it runs.
type action struct {
	name   string
	params []param
	// integration is the integration used when the step names none; ""
	// means the integration whose host the url parameter names.
	integration string
	secret      secretNeed
	output      []field
	run         func(ctx context.Context, r *actionRun) (map[string]any, error)
}

// param is one parameter of an action.
type param struct {
	name string
	kind paramKind
}

type paramKind int

const (
	anyParam      paramKind = iota // any value
	textParam                      // text
	textsParam                     // a group of text values, such as headers
	listParam                      // a list
	textListParam                  // one text or a list of them
	intParam                       // a whole number
	literalParam                   // text written out, without ${{ }}
)

type secretNeed int

const (
	noSecret secretNeed = iota
	optionalSecret
	requiredSecret
)

// actions are the prebuilt actions, by the key a step writes.
var actions = map[string]*action{}

func init() {
	for _, a := range []*action{httpRequest, slackPostMessage, teamsPostCard, webhookSend, postgresQuery, emailSend} {
		actions[a.name] = a
	}
}

// actionNames lists the actions' keys.
func actionNames() []string {
	out := make([]string, 0, len(actions))
	for name := range actions {
		out = append(out, name)
	}
	return sortedCopy(out)
}

func (a *action) param(name string) (param, bool) {
	for _, p := range a.params {
		if p.name == name {
			return p, true
		}
	}
	return param{}, false
}

// outputType defines the object type of the action's output for step id.
func (a *action) outputType(p *provider, id string) *types.Type {
	return p.define("steps."+id, a.output...)
}

// actionRun is one action's run in a step: its worked-out arguments, its
// integration and secret, and how it calls out.
type actionRun struct {
	step *step
	args map[string]any
	// integration is the step's integration (zero for url actions until
	// byHost finds it) and secret its secret's value.
	integration runway.Integration
	secret      string
	// key is the idempotency key of this step in this run and its replays.
	key string
	e   *runState
}

// text returns a text argument ("" when not given).
func (r *actionRun) text(name string) string {
	if v, ok := r.args[name]; ok {
		return stringify(v)
	}
	return ""
}

// do makes a call: to a declared host only, retried when that is safe,
// recorded in the run.
func (r *actionRun) do(ctx context.Context, c *Call) (*Reply, error) {
	c.Step = r.step.id
	if c.Integration == "" {
		c.Integration = r.integration.Name
	}
	return r.e.call(ctx, r.step, c)
}

// byHost finds the integration that declares u's host, and its secret.
func (r *actionRun) byHost(u *url.URL) error {
	in, secret, err := r.e.engine.integrationFor(u)
	if err != nil {
		return err
	}
	r.integration, r.secret = in, secret
	return nil
}

// Call is one request a step makes to another service. Its exported
// fields are what run records show and examples match on; they never hold
// a credential (URLs that are secrets are redacted when recorded).
type Call struct {
	Step        string
	Integration string
	// Method is the HTTP method, QUERY for postgres.query or SEND for
	// email.send.
	Method string
	URL    *url.URL
	Header http.Header
	// Body is what is sent, as data: the JSON body, {sql, params} or the
	// email.
	Body any

	raw        []byte // the HTTP body as sent
	idempotent bool   // a repeat cannot do the work twice
	conn       string // postgres and smtp: the secret's connection address
	sql        string
	params     []any
	maxRows    int
	mail       *mailMessage
}

// Reply is what the service answered.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
	Rows   []map[string]any
	Count  int64
}

// Outbound makes calls. The engine's is the network, through egress; an
// example's is a recording stub.
type Outbound interface {
	Do(ctx context.Context, c *Call) (*Reply, error)
	Close() error
}

package ui

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/flags"
)

// flagHistory is how many changes a flag's page lists.
const flagHistory = 100

// flagsPage is the flags list's data: the app's flags per environment.
type flagsPage struct {
	App  *runway.App
	Envs []flagEnv
}

// flagEnv is one environment's flags.
type flagEnv struct {
	Env   runway.Environment
	Flags []flagRow
}

// flagRow is a flag in the list, with its state and what it serves in
// words.
type flagRow struct {
	*runway.Flag
	State, Class, Serves string
}

// flagPage is a flag page's data.
type flagPage struct {
	App  *runway.App
	Flag *runway.Flag
	// State is on, off or killed; Class names it for the style sheet.
	State, Class string
	Variants     []variantRow
	// Rules are the rules in words, in order; Default says what everyone
	// else gets, Off what everyone gets while the flag is off.
	Rules        []string
	Default, Off string
	History      []flagChangeRow
	// CanSwitch and CanKill show the buttons and the kill switch; Who
	// says who may when the person may not.
	CanSwitch, CanKill bool
	WhoSwitches        string
	WhoKills           string
	// Reason is what the person typed in the kill form, kept when a
	// change was refused; Problem says why it was refused.
	Reason, Problem string
	Try             flagTry
}

// variantRow is one variant with its value as JSON.
type variantRow struct {
	Name, Value, Description string
}

// flagChangeRow is one change of a flag's history.
type flagChangeRow struct {
	Entry *runway.AuditEntry
	Who   string
	What  string
}

// flagTry is the "what does someone get?" form: what was typed, and the
// evaluation in words (or why it could not be done).
type flagTry struct {
	TargetingKey, Attributes string
	Result, Problem          string
}

// flagList lists an app's flags in every environment.
func (u *UI) flagList(w http.ResponseWriter, r *http.Request, v *view) error {
	a, err := u.opt.Store.FindApp(r.Context(), r.PathValue("app"))
	if err != nil {
		return err
	}
	all, err := u.opt.Flags.List(r.Context(), v.principal, a.Name, "")
	if err != nil {
		return err
	}
	d := &flagsPage{App: a}
	for _, env := range runway.Environments {
		e := flagEnv{Env: env}
		for _, f := range all {
			if f.Environment == env {
				e.Flags = append(e.Flags, flagRow{Flag: f, State: flagState(f), Class: flagClass(f), Serves: flagSummary(f)})
			}
		}
		d.Envs = append(d.Envs, e)
	}
	v.Title, v.Nav, v.Data = "Feature flags of "+a.Name, "apps", d
	u.render(w, r, http.StatusOK, "flags", v)
	return nil
}

func (u *UI) flag(w http.ResponseWriter, r *http.Request, v *view) error {
	d, err := u.loadFlag(r, v)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if q := r.URL.Query(); q.Has("targeting_key") {
		d.Try = u.tryFlag(r, v, d.Flag, q.Get("targeting_key"), q.Get("attributes"))
		if d.Try.Problem != "" {
			status = http.StatusBadRequest
		}
	}
	u.render(w, r, status, "flag", v)
	return nil
}

// flagSwitch turns a flag on or off from its page, and goes back to it.
func (u *UI) flagSwitch(on bool) handler {
	return func(w http.ResponseWriter, r *http.Request, v *view) error {
		env, err := flagEnvironment(r)
		if err != nil {
			return err
		}
		_, err = u.opt.Flags.SetEnabled(r.Context(), v.principal, r.PathValue("app"), env, r.PathValue("key"), on)
		return u.changed(w, r, v, err, "")
	}
}

// killFlag pulls a flag's kill switch from its page, with the reason the
// person gave.
func (u *UI) killFlag(w http.ResponseWriter, r *http.Request, v *view) error {
	env, err := flagEnvironment(r)
	if err != nil {
		return err
	}
	reason := r.PostFormValue("reason")
	_, err = u.opt.Flags.Kill(r.Context(), v.principal, r.PathValue("app"), env, r.PathValue("key"), reason)
	return u.changed(w, r, v, err, reason)
}

// changed goes back to the flag's page after a change, or shows why the
// change was refused on it (its status, what the person typed).
func (u *UI) changed(w http.ResponseWriter, r *http.Request, v *view, err error, reason string) error {
	switch runway.ErrorCode(err) {
	case "":
		http.Redirect(w, r, flagPath(r.PathValue("app"), runway.Environment(r.PathValue("env")), r.PathValue("key")), http.StatusSeeOther)
		return nil
	case runway.EINTERNAL, runway.ENOTFOUND, runway.EUNAUTHORIZED, runway.EUNAVAILABLE:
		return err
	}
	d, lerr := u.loadFlag(r, v)
	if lerr != nil {
		return err
	}
	d.Reason, d.Problem = reason, runway.ErrorMessage(err)
	u.render(w, r, runway.HTTPStatus(err), "flag", v)
	return nil
}

// loadFlag reads the flag of the path with its history, and what the
// person may do with it, into v.
func (u *UI) loadFlag(r *http.Request, v *view) (*flagPage, error) {
	ctx := r.Context()
	env, err := flagEnvironment(r)
	if err != nil {
		return nil, err
	}
	a, err := u.opt.Store.FindApp(ctx, r.PathValue("app"))
	if err != nil {
		return nil, err
	}
	f, err := u.opt.Flags.Get(ctx, v.principal, a.Name, env, r.PathValue("key"))
	if err != nil {
		return nil, err
	}
	entries, err := u.opt.Flags.History(ctx, v.principal, a.Name, env, f.Key, runway.Page{Limit: flagHistory})
	if err != nil {
		return nil, err
	}
	d := &flagPage{App: a, Flag: f, State: flagState(f), Class: flagClass(f), Rules: rulesWords(f.Rules),
		Off: f.OffVariant, CanSwitch: flags.MayChange(v.principal, a.Team, env), CanKill: flags.MayKill(v.principal, a.Team)}
	if len(f.Rules) > 0 {
		d.Default = "Everyone else gets " + flags.ServeWords(f.Default) + "."
	} else {
		d.Default = "When it is on, everyone gets " + flags.ServeWords(f.Default) + "."
	}
	for _, vr := range f.Variants {
		d.Variants = append(d.Variants, variantRow{Name: vr.Name, Value: flags.CompactJSON(vr.Value), Description: vr.Description})
	}
	slices.Reverse(entries) // newest first
	for _, e := range entries {
		d.History = append(d.History, flagChangeRow{Entry: e, Who: person(e.Actor), What: flagChangeWords(e)})
	}
	if !d.CanSwitch {
		d.WhoSwitches = fmt.Sprintf("Developers and team leads of team %s (and admins) may turn it on or off.", a.Team)
		if env == runway.EnvProduction {
			d.WhoSwitches = fmt.Sprintf("In production, only team leads of team %s and admins may turn it on or off.", a.Team)
		}
	}
	if !d.CanKill {
		d.WhoKills = fmt.Sprintf("Members of team %s, security, platform and admins may pull its kill switch.", a.Team)
	}
	v.Title, v.Nav, v.Data = fmt.Sprintf("%s of %s in %s", f.Key, a.Name, env), "apps", d
	return d, nil
}

// tryFlag evaluates f for the context typed in the form: a targeting key
// and NAME=VALUE lines.
func (u *UI) tryFlag(r *http.Request, v *view, f *runway.Flag, key, attrs string) flagTry {
	t := flagTry{TargetingKey: key, Attributes: attrs}
	c := flags.Context{TargetingKey: strings.TrimSpace(key), Attributes: map[string]any{}}
	for line := range strings.Lines(attrs) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			t.Problem = fmt.Sprintf("%q is not an attribute: write one NAME=VALUE a line, such as email=ana@example.com.", line)
			return t
		}
		c.Attributes[name] = strings.TrimSpace(value)
	}
	e, err := u.opt.Flags.Evaluate(r.Context(), v.principal, f.App, f.Environment, f.Key, c)
	if err != nil {
		t.Problem = runway.ErrorMessage(err)
		return t
	}
	who := c.TargetingKey
	if who == "" {
		who = "Someone with no targeting key"
	}
	t.Result = flags.EvaluationWords(who, e)
	return t
}

// flagEnvironment reads the environment of the path.
func flagEnvironment(r *http.Request) (runway.Environment, error) {
	env := runway.Environment(r.PathValue("env"))
	if !slices.Contains(runway.Environments, env) {
		return "", runway.Errorf(runway.ENOTFOUND, "there is no environment %q: flags live in sandbox, staging and production", env)
	}
	return env, nil
}

// flagPath is a flag page's path.
func flagPath(app string, env runway.Environment, key string) string {
	return fmt.Sprintf("/apps/%s/flags/%s/%s", app, env, key)
}

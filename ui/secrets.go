package ui

import (
	"net/http"
	"slices"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/secrets"
)

// secretsPage is an app's secrets page data: names, versions and authors,
// never values.
type secretsPage struct {
	App *runway.App
	// Configured is false when the server keeps no secrets.
	Configured bool
	Rows       []secretRow
	// Example is an environment and name for the "how to set one"
	// command.
	Example secretRow
}

// secretRow is one NAME: whether the manifest declares it, and its value
// for every environment and for each one.
type secretRow struct {
	Name     string
	Declared bool
	All      *runway.SecretInfo // the value for every environment, if set
	Envs     []secretCell
}

// secretCell is a NAME in one environment: its own value, or the one for
// every environment, or nothing.
type secretCell struct {
	Env  runway.Environment
	Info *runway.SecretInfo // set for this environment
	// Inherited says the value for every environment applies.
	Inherited bool
}

func (u *UI) secrets(w http.ResponseWriter, r *http.Request, v *view) error {
	a, err := u.opt.Store.FindApp(r.Context(), r.PathValue("app"))
	if err != nil {
		return err
	}
	if err := access.Require(v.principal, access.ReadSecrets, a.Team); err != nil {
		return err
	}
	d := &secretsPage{App: a, Configured: u.opt.Secrets != nil}
	v.Title, v.Nav, v.Data = "Secrets of "+a.Name, "apps", d
	var infos []*runway.SecretInfo
	if d.Configured {
		if infos, err = u.opt.Secrets.List(r.Context(), a.Name); err != nil {
			return err
		}
	}
	declared := secrets.Declared(&a.Manifest)
	names := slices.Clone(declared)
	for _, i := range infos {
		if !slices.Contains(names, i.Name) {
			names = append(names, i.Name)
		}
	}
	for _, name := range names {
		d.Rows = append(d.Rows, secretRowOf(name, slices.Contains(declared, name), infos))
	}
	d.Example = secretRow{Name: "NAME"}
	if len(declared) > 0 {
		d.Example.Name = declared[0]
	}
	u.render(w, r, http.StatusOK, "secrets", v)
	return nil
}

// secretRowOf gathers one NAME's values.
func secretRowOf(name string, declared bool, infos []*runway.SecretInfo) secretRow {
	row := secretRow{Name: name, Declared: declared}
	for _, i := range infos {
		if i.Name == name && i.Env == "" {
			row.All = i
		}
	}
	for _, env := range runway.Environments {
		c := secretCell{Env: env, Inherited: row.All != nil}
		for _, i := range infos {
			if i.Name == name && i.Env == env {
				c.Info, c.Inherited = i, false
			}
		}
		row.Envs = append(row.Envs, c)
	}
	return row
}

package ui

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/release"
)

// recentDeployments is how many deployments an app's page lists.
const recentDeployments = 10

// deploymentPage is a deployment page's data.
type deploymentPage struct {
	*release.DeploymentView
	State, Class string
	// Why says in plain words why it is where it is.
	Why string
	// Steps are the canary's steps, each with whether it is reached.
	Steps []canaryStep
	// Back says how to go back, with its commands as code.
	Back []mdSpan
	// Runbook is the deployment's runbook, read into blocks.
	Runbook []mdBlock
	// Reason is what the person typed in the rollback form, kept when the
	// rollback was refused; Problem says why it was refused.
	Reason, Problem string
}

// canaryStep is one step of a canary, for the progress list.
type canaryStep struct {
	Weight           int
	Reached, Current bool
}

func (u *UI) deployment(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := deploymentID(r)
	if err != nil {
		return err
	}
	return u.showDeployment(w, r, v, id, http.StatusOK, "", "")
}

// showDeployment renders a deployment's page, or only its progress for
// htmx's polling. A poll that finds the state changed since the page was
// shown asks for the whole page again (HX-Refresh): what may be done
// changed with it.
func (u *UI) showDeployment(w http.ResponseWriter, r *http.Request, v *view, id int64, status int, reason, problem string) error {
	dv, err := u.opt.Deployer.View(r.Context(), v.principal, id)
	if err != nil {
		return err
	}
	if u.opt.Traffic != nil {
		dv.Traffic = u.opt.Traffic(dv.Deployment.App, dv.Deployment.Environment)
	}
	dep := dv.Deployment
	d := &deploymentPage{DeploymentView: dv, State: deploymentWords(dep.State), Class: deploymentClass(dep.State),
		Why: dep.Reason, Reason: reason, Problem: problem}
	if d.Why == "" {
		d.Why = deploymentSentence(dep)
	}
	if dep.State == runway.DeploymentCanary && !dv.CanRollBack {
		dv.HowBack = fmt.Sprintf("Developers and team leads of team %s (and admins) may roll it back: all the traffic goes back to %s at once.", dv.App.Team, dep.Stable)
	}
	d.Back = inline(dv.HowBack)
	if c := dv.Canary; c != nil {
		for i, weight := range c.Steps {
			d.Steps = append(d.Steps, canaryStep{Weight: weight, Reached: i < c.Step || (i == c.Step && c.Weight > 0) || dep.State == runway.DeploymentLive,
				Current: i == c.Step && dep.State == runway.DeploymentCanary})
		}
	}
	v.Title, v.Nav, v.Data = fmt.Sprintf("%s %s in %s", dep.App, dep.Version(), dep.Environment), "apps", d
	if fragment(r) {
		if seen := r.URL.Query().Get("state"); seen != "" && seen != dep.State {
			w.Header().Set("HX-Refresh", "true")
		}
		u.renderFragment(w, r, "deployment", "progress", v)
		return nil
	}
	if u.opt.Runbooks != nil {
		md, err := u.opt.Runbooks.Runbook(r.Context(), v.principal, id)
		if err != nil {
			return err
		}
		d.Runbook = markdown(md)
	}
	u.render(w, r, status, "deployment", v)
	return nil
}

// rollBack rolls a deployment back from its page, and goes back to it. A
// refused rollback (no reason, not in its canary any more, not allowed)
// is shown on the page, with what the person typed.
func (u *UI) rollBack(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := deploymentID(r)
	if err != nil {
		return err
	}
	reason := r.PostFormValue("reason")
	_, err = u.opt.Deployer.Rollback(r.Context(), v.principal, id, reason)
	switch runway.ErrorCode(err) {
	case "":
		http.Redirect(w, r, fmt.Sprintf("/deployments/%d", id), http.StatusSeeOther)
		return nil
	case runway.EINTERNAL, runway.ENOTFOUND, runway.EUNAUTHORIZED:
		return err
	}
	if u.showDeployment(w, r, v, id, runway.HTTPStatus(err), reason, runway.ErrorMessage(err)) != nil {
		return err // they may not see the page either: say why they may not roll back
	}
	return nil
}

// deploymentID reads a deployment's id from the path.
func deploymentID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, runway.Errorf(runway.ENOTFOUND, "there is no deployment %q: check the link, or find the deployment on its app's page", r.PathValue("id"))
	}
	return id, nil
}

// deploymentWords says where a deployment stands.
func deploymentWords(state string) string {
	switch state {
	case runway.DeploymentQueued:
		return "Queued"
	case runway.DeploymentBuilding:
		return "Building"
	case runway.DeploymentStarting:
		return "Starting"
	case runway.DeploymentSmoke:
		return "Smoke checks"
	case runway.DeploymentCanary:
		return "Canary"
	case runway.DeploymentLive:
		return "Live"
	case runway.DeploymentReplaced:
		return "Replaced"
	case runway.DeploymentFailed:
		return "Failed"
	case runway.DeploymentRolledBack:
		return "Rolled back"
	}
	return state
}

// deploymentClass names a deployment state for the style sheet.
func deploymentClass(state string) string {
	switch state {
	case runway.DeploymentLive:
		return "pass"
	case runway.DeploymentFailed, runway.DeploymentRolledBack:
		return "blocked"
	case runway.DeploymentReplaced:
		return "closed"
	}
	return "approval"
}

// deploymentSentence says what a deployment is doing when it recorded no
// reason.
func deploymentSentence(d *runway.Deployment) string {
	switch d.State {
	case runway.DeploymentQueued:
		return "Waiting to be built."
	case runway.DeploymentBuilding:
		return "The new version is being built from its source."
	case runway.DeploymentStarting:
		return "The new version is starting."
	case runway.DeploymentSmoke:
		return "The new version is running its smoke checks; it takes no users' traffic yet."
	case runway.DeploymentLive:
		return "The new version takes all the traffic."
	}
	return ""
}

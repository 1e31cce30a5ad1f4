package ui_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/runwayhq/runway"
)

// browser starts headless Chromium for one test and returns a context to
// drive it. Without Chromium the test is skipped, except in CI, which
// installs it (apt-get install chromium).
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed: CI must install it (apt-get install -y chromium) to run the browser tests")
		}
		t.Skip("browser tests skipped: chromium is not installed (apt-get install -y chromium)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 800))
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(cancelTab)
	return ctx
}

// artifacts returns the folder for screenshots: $RUNWAY_TEST_ARTIFACTS/ui
// when set, else a temporary folder that the test removes.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if root := os.Getenv("RUNWAY_TEST_ARTIFACTS"); root != "" {
		dir = filepath.Join(root, "ui")
		must(t, os.MkdirAll(dir, 0o755))
	}
	t.Logf("screenshots are saved in %s", dir)
	return dir
}

func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// consoleErrors collects the errors pages write to the console, such as
// Content-Security-Policy refusals and script exceptions, until the
// returned func is called.
func consoleErrors(ctx context.Context) func() []string {
	ctx, cancel := context.WithCancel(ctx)
	messages := chromedp.Console(ctx)
	var (
		mu     sync.Mutex
		errors []string
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				errors = append(errors, m.String())
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		return errors
	}
}

// rows counts the rows of the app list.
const rows = `document.querySelectorAll('#app-results tbody tr').length`

// TestBrowser drives the UI as a person does: sign in with a token, find
// an app by typing its name, read its latest check; then on a phone, and
// with the keyboard only.
func TestBrowser(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	dir := artifacts(t)
	p := newPlatform(t)
	start := time.Now()
	errors := consoleErrors(ctx)

	t.Run("sign in, search, read a check", func(t *testing.T) {
		must(t, chromedp.Do(ctx,
			chromedp.Navigate(p.srv.URL+"/apps"),
			chromedp.WaitVisible(chromedp.ID("token")),
			chromedp.SendKeys(chromedp.ID("token"), p.tokens["developer"]),
		))
		screenshot(t, ctx, dir, "1-sign-in")
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button`)), chromedp.WaitVisible(chromedp.ID("q"))))
		if loc := eval[string](t, ctx, `location.pathname`); loc != "/apps" {
			t.Fatalf("after sign-in the browser is at %s, want /apps", loc)
		}
		if n := eval[int](t, ctx, rows); n != 3 {
			t.Fatalf("the list shows %d apps, want 3", n)
		}
		if !eval[bool](t, ctx, `typeof htmx === 'object'`) {
			t.Fatal("htmx did not load")
		}
		screenshot(t, ctx, dir, "2-apps")

		must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("q"), "expense")))
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](rows+` === 1`, chromedp.WithPollingTimeout(10*time.Second)))
		if err != nil {
			t.Fatalf("typing in the search box did not narrow the list to one app: %v", err)
		}
		if search := eval[string](t, ctx, `location.search`); !strings.Contains(search, "q=expense") {
			t.Errorf("the address is %q after the search, want it to hold q=expense", search)
		}
		screenshot(t, ctx, dir, "3-search")

		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#app-results a[href="/apps/expense-approvals"]`)), chromedp.WaitVisible(chromedp.CSS(".decision"))))
		decision, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".decision")))
		must(t, err)
		if !strings.Contains(decision, "Needs approval from a team lead") {
			t.Errorf("the app page says %q, want the plain-language decision", decision)
		}
		screenshot(t, ctx, dir, "4-app")
	})

	t.Run("phone", func(t *testing.T) {
		must(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)))
		for _, path := range []string{"/apps", "/apps/expense-approvals", "/sign-in"} {
			must(t, chromedp.Do(ctx, chromedp.Navigate(p.srv.URL+path), chromedp.WaitVisible(chromedp.CSS("main"))))
			scroll := eval[[]int](t, ctx, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`)
			if scroll[0] > scroll[1] {
				t.Errorf("%s on a 390px phone is %dpx wide: people must scroll sideways", path, scroll[0])
			}
			screenshot(t, ctx, dir, "5-phone"+strings.ReplaceAll(path, "/", "-"))
		}
	})

	t.Run("keyboard", func(t *testing.T) {
		must(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(p.srv.URL+"/apps"), chromedp.WaitVisible(chromedp.ID("q"))))
		var reached []string
		outline := ""
		for range 12 {
			must(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)))
			reached = append(reached, eval[string](t, ctx, `(e => e.id || e.className || e.getAttribute('href') || e.tagName)(document.activeElement)`))
			if reached[len(reached)-1] == "q" {
				outline = eval[string](t, ctx, `getComputedStyle(document.activeElement).outlineStyle`)
				screenshot(t, ctx, dir, "6-keyboard-focus")
			}
		}
		if reached[0] != "skip-link" {
			t.Errorf("the first Tab reaches %q, want the skip link", reached[0])
		}
		for _, want := range []string{"q", "/apps/wiki"} {
			if !strings.Contains(strings.Join(reached, " "), want) {
				t.Errorf("Tab never reaches %q; it reaches %v", want, reached)
			}
		}
		if outline == "" || outline == "none" {
			t.Errorf("the search field shows no focus outline when Tab reaches it (outline-style %q)", outline)
		}
	})
	if errs := errors(); len(errs) > 0 {
		t.Errorf("the pages wrote errors to the console (a CSP refusal, a missing file or a script error):\n%s", strings.Join(errs, "\n"))
	}
	t.Logf("browser scenarios took %v", time.Since(start).Round(time.Millisecond))
}

// signInAt opens url, which sends an anonymous person to the sign-in
// page, signs in with token and waits for the page to come back.
func signInAt(t *testing.T, ctx context.Context, url, token string) {
	t.Helper()
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), token),
		chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button`)),
		chromedp.WaitVisible(chromedp.CSS("form.sign-out")),
	))
}

// noSidewaysScroll fails when the page is wider than the screen.
func noSidewaysScroll(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	scroll := eval[[]int](t, ctx, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`)
	if scroll[0] > scroll[1] {
		t.Errorf("%s on a 390px phone is %dpx wide: people must scroll sideways", page, scroll[0])
	}
}

// TestBrowserApprovals drives an approval as people do: the developer who
// submitted reads why they cannot answer; a team lead finds the request
// in their inbox, reads why it needs them, on a phone too, and approves it
// with a reason.
func TestBrowserApprovals(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	dir := artifacts(t)
	p := newPlatform(t)
	rq := withRequests(t, p)
	path := fmt.Sprintf("/approvals/%d", rq.expense)
	errors := consoleErrors(ctx)

	t.Run("the submitter cannot answer", func(t *testing.T) {
		signInAt(t, ctx, p.srv.URL+path, p.tokens["developer"])
		if loc := eval[string](t, ctx, `location.pathname`); loc != path {
			t.Fatalf("after sign-in the browser is at %s, want %s", loc, path)
		}
		why, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("cannot-answer")))
		must(t, err)
		if !strings.Contains(why, "You submitted candidate #2, so someone else must review it (separation of duties).") {
			t.Errorf("the submitter reads %q, want why they cannot answer", why)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('form.answer, textarea#reason').length`); n != 0 {
			t.Errorf("the submitter sees the answer form")
		}
		screenshot(t, ctx, dir, "approvals-1-submitter")
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("form.sign-out button")), chromedp.WaitVisible(chromedp.ID("token"))))
	})

	t.Run("a team lead approves", func(t *testing.T) {
		signInAt(t, ctx, p.srv.URL+"/approvals", p.tokens["team-lead"])
		badge, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("inbox-count")))
		must(t, err)
		if !strings.HasPrefix(badge, "1") {
			t.Errorf("the inbox badge says %q, want 1", badge)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#inbox a[href="`+path+`"]').length`); n != 1 {
			t.Fatalf("the inbox links to the request %d times, want once", n)
		}
		screenshot(t, ctx, dir, "approvals-2-inbox")

		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#inbox a[href="`+path+`"]`)), chromedp.WaitVisible(chromedp.ID("state"))))
		why, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("ul.why")))
		must(t, err)
		for _, want := range []string{"Needs one team lead of web.", "expects 60 users"} {
			if !strings.Contains(why, want) {
				t.Errorf("the why says %q, want it to hold %q", why, want)
			}
		}

		must(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)))
		for _, page := range []string{"/approvals", path} {
			must(t, chromedp.Do(ctx, chromedp.Navigate(p.srv.URL+page), chromedp.WaitVisible(chromedp.CSS("main"))))
			noSidewaysScroll(t, ctx, page)
			screenshot(t, ctx, dir, "approvals-3-phone"+strings.ReplaceAll(page, "/", "-"))
		}
		must(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)))

		must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("reason"), "Checked the totals on staging data.")))
		screenshot(t, ctx, dir, "approvals-4-reason")
		// The answer's page has an outcome; the page before it has none.
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[name="verdict"][value="approve"]`)), chromedp.WaitVisible(chromedp.ID("outcome"))))
		if state, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("state"))); err != nil || state != "Started" {
			t.Fatalf("after Approve the request says %q (%v), want Started", state, err)
		}
		if loc := eval[string](t, ctx, `location.pathname`); loc != path {
			t.Errorf("after Approve the browser is at %s, want %s", loc, path)
		}
		outcome, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("outcome")))
		must(t, err)
		if !strings.Contains(outcome, "deployment of candidate #2 to staging started") {
			t.Errorf("the outcome says %q", outcome)
		}
		answers, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("ol.answers")))
		must(t, err)
		if !strings.Contains(answers, "Checked the totals on staging data.") {
			t.Errorf("the answers say %q, want the reason", answers)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#inbox-count').length`); n != 0 {
			t.Errorf("the inbox badge is still shown after the answer")
		}
		screenshot(t, ctx, dir, "approvals-5-approved")
	})
	if errs := errors(); len(errs) > 0 {
		t.Errorf("the pages wrote errors to the console (a CSP refusal, a missing file or a script error):\n%s", strings.Join(errs, "\n"))
	}
}

// TestBrowserDeployment follows a canary on its page as a person does:
// the progress bar and its steps, htmx's polling moving them on as the
// canary advances (under the strict CSP), the whole page coming back
// when the canary ends, and a phone. No runtime runs here: the test moves
// the deployment in the store as the deployer would, and leaves "Roll
// back now" to TestRollbackForm and the end-to-end test of cmd/runway.
func TestBrowserDeployment(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	dir := artifacts(t)
	p := newPlatform(t)
	ds := withDeployments(t, p)
	path := fmt.Sprintf("/deployments/%d", ds.canary)
	errors := consoleErrors(ctx)
	weight := `(document.getElementById('weight') ? document.getElementById('weight').value : -1)`

	signInAt(t, ctx, p.srv.URL+path, p.tokens["developer"])
	if w := eval[int](t, ctx, weight); w != 20 {
		t.Fatalf("the progress bar shows %d%%, want 20%%", w)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('form.rollback button').length`); n != 1 {
		t.Errorf("the page shows %d Roll back buttons, want 1", n)
	}
	if h := eval[string](t, ctx, `document.querySelector('.runbook h3').textContent`); h != "Runbook: expense-approvals in production" {
		t.Errorf("the runbook's heading is %q", h)
	}
	screenshot(t, ctx, dir, "deployment-1-canary")

	// The canary advances: the polled progress follows without a reload,
	// and what the person typed in the form stays.
	must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("reason"), "Totals look wrong")))
	p.setDeployment(t, ds.canary, func(d *runway.Deployment) {
		d.Step, d.Weight, d.Reason = 1, 50, "The new version did as well as the stable one: it now gets 50% of the traffic."
	})
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](weight+` === 50`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the progress did not move to 50%%: %v", err)
	}
	if typed := eval[string](t, ctx, `document.getElementById('reason').value`); typed != "Totals look wrong" {
		t.Errorf("the reason field holds %q after the refresh, want what was typed", typed)
	}
	if current := eval[string](t, ctx, `document.querySelector('.steps li.current').textContent`); !strings.HasPrefix(current, "50%") {
		t.Errorf("the current step is %q, want 50%%", current)
	}
	screenshot(t, ctx, dir, "deployment-2-advanced")

	// It goes live: the poll asks for the whole page, which has no form
	// and stops polling.
	p.setDeployment(t, ds.canary, func(d *runway.Deployment) {
		d.State, d.Step, d.Weight, d.Reason = runway.DeploymentLive, 2, 100, "The canary met its objectives at every step."
	})
	// The reload replaces the document under the poll: poll again until
	// the new page holds the answer.
	live := `document.getElementById('state') && document.getElementById('state').textContent === 'Live' && !document.querySelector('form.rollback')`
	for deadline := time.Now().Add(10 * time.Second); ; {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](live, chromedp.WithPollingTimeout(2*time.Second)))
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page did not come back live without the form: %v", err)
		}
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('[hx-trigger]').length`); n != 0 {
		t.Errorf("a live deployment's page still polls (%d elements)", n)
	}
	screenshot(t, ctx, dir, "deployment-3-live")

	must(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)))
	for _, page := range []string{path, "/apps/expense-approvals"} {
		must(t, chromedp.Do(ctx, chromedp.Navigate(p.srv.URL+page), chromedp.WaitVisible(chromedp.CSS("main"))))
		noSidewaysScroll(t, ctx, page)
		screenshot(t, ctx, dir, "deployment-4-phone"+strings.ReplaceAll(page, "/", "-"))
	}
	if errs := errors(); len(errs) > 0 {
		t.Errorf("the pages wrote errors to the console (a CSP refusal, a missing file or a script error):\n%s", strings.Join(errs, "\n"))
	}
}

// TestBrowserFlags pulls a kill switch as a team lead does in an
// incident: open the flag's page, say why, kill it, read that it is
// killed; then the flag pages and the secrets on a phone.
func TestBrowserFlags(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	dir := artifacts(t)
	p := newPlatform(t)
	withFlags(t, p)
	errors := consoleErrors(ctx)

	signInAt(t, ctx, p.srv.URL+prodCheckout, p.tokens["team-lead"])
	if state, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("state"))); err != nil || state != "On" {
		t.Fatalf("the flag says %q (%v), want On", state, err)
	}
	screenshot(t, ctx, dir, "flags-1-on")
	must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("reason"), "Customers are charged twice"),
		chromedp.Click(chromedp.CSS("form.kill button")),
		chromedp.WaitVisible(chromedp.ID("killed")),
	))
	if state, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("state"))); err != nil || state != "Killed" {
		t.Fatalf("after the kill the flag says %q (%v), want Killed", state, err)
	}
	if loc := eval[string](t, ctx, `location.pathname`); loc != prodCheckout {
		t.Errorf("after the kill the browser is at %s, want %s", loc, prodCheckout)
	}
	killed, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("killed")))
	must(t, err)
	if !strings.Contains(killed, "Killed by team-lead@example.com") || !strings.Contains(killed, "Customers are charged twice") {
		t.Errorf("the page says %q, want who killed it and why", killed)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('form.kill').length`); n != 0 {
		t.Errorf("a killed flag still shows the kill switch")
	}
	screenshot(t, ctx, dir, "flags-2-killed")

	must(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)))
	for _, page := range []string{prodCheckout, flagList, wikiSecretPath} {
		must(t, chromedp.Do(ctx, chromedp.Navigate(p.srv.URL+page), chromedp.WaitVisible(chromedp.CSS("main"))))
		noSidewaysScroll(t, ctx, page)
		screenshot(t, ctx, dir, "flags-3-phone"+strings.ReplaceAll(page, "/", "-"))
	}
	if errs := errors(); len(errs) > 0 {
		t.Errorf("the pages wrote errors to the console (a CSP refusal, a missing file or a script error):\n%s", strings.Join(errs, "\n"))
	}
}

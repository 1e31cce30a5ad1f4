package osv

import (
	"fmt"
	"path"
	"strings"

	"github.com/runwayhq/runway"
)

// fixText is the fix a non-developer reads for one package: the smallest
// upgrade, and the exact command for the app's package manager, including
// how to reach a package that another one pulls in.
func fixText(c runway.Component, u upgrade) string {
	if u.to == "" {
		return noFixText(c)
	}
	to := displayVersion(c, u.to)
	head := fmt.Sprintf("Upgrade %s from %s to %s (%s)", displayName(c), displayVersion(c, c.Version), to, fixCount(u))
	return head + howTo(c, to)
}

func fixCount(u upgrade) string {
	if u.fixes == u.total {
		return "fixes " + plural(u.total, "advisory", "advisories")
	}
	s := fmt.Sprintf("fixes %d of %d advisories", u.fixes, u.total)
	if len(u.unfixed) > 0 {
		s += "; no fix is published yet for " + joinNames(u.unfixed)
	}
	return s
}

func noFixText(c runway.Component) string {
	s := fmt.Sprintf("No fixed version of %s is published yet. Remove it if the app does not need it, or replace it with another package", displayName(c))
	if !c.Direct && len(c.IntroducedBy) > 0 {
		s += fmt.Sprintf("; it comes in through %s, so upgrading or replacing that may drop it", joinNames(c.IntroducedBy))
	}
	return s + ". If the app must keep it for now, ask your security team to accept the risk until a fix is out."
}

// howTo is the command part of the fix, per ecosystem and lockfile.
func howTo(c runway.Component, to string) string {
	switch c.Ecosystem {
	case "npm":
		return npmHowTo(c, to)
	case "Go":
		return goHowTo(c, to)
	case "PyPI":
		return pypiHowTo(c, to)
	case "Maven":
		return mavenHowTo(c, to)
	}
	if c.Source == "" {
		return fmt.Sprintf(": raise it to %s with the app's package manager and commit the changed files.", to)
	}
	return fmt.Sprintf(": raise it to %s with the app's package manager (it is listed in %s) and commit the changed files.", to, c.Source)
}

func transitive(c runway.Component) bool { return !c.Direct && len(c.IntroducedBy) > 0 }

func npmHowTo(c runway.Component, to string) string {
	spec := c.Name + "@" + to
	switch path.Base(c.Source) {
	case "yarn.lock":
		if transitive(c) {
			return fmt.Sprintf(". %s comes in through %s: add \"resolutions\": {\"%s\": \"%s\"} to package.json, run `yarn install`, and commit package.json and yarn.lock.", c.Name, joinNames(c.IntroducedBy), c.Name, to)
		}
		return fmt.Sprintf(": run `yarn add %s%s` and commit package.json and yarn.lock.", devFlag(c, "--dev "), spec)
	case "pnpm-lock.yaml":
		if transitive(c) {
			return fmt.Sprintf(". %s comes in through %s: add \"pnpm\": {\"overrides\": {\"%s\": \"%s\"}} to package.json, run `pnpm install`, and commit package.json and pnpm-lock.yaml.", c.Name, joinNames(c.IntroducedBy), c.Name, to)
		}
		return fmt.Sprintf(": run `pnpm add %s%s` and commit package.json and pnpm-lock.yaml.", devFlag(c, "--save-dev "), spec)
	}
	if transitive(c) {
		return fmt.Sprintf(". %s comes in through %s: first run `npm update %s`, which may pull in a fixed version; if `npm ls %s` still shows %s, add \"overrides\": {\"%s\": \"%s\"} to package.json and run `npm install`. Commit package.json and package-lock.json.",
			c.Name, joinNames(c.IntroducedBy), strings.Join(c.IntroducedBy, " "), c.Name, c.Version, c.Name, to)
	}
	return fmt.Sprintf(": run `npm install %s%s` and commit package.json and package-lock.json.", devFlag(c, "--save-dev "), spec)
}

func devFlag(c runway.Component, flag string) string {
	if c.Dev && c.Direct {
		return flag
	}
	return ""
}

func goHowTo(c runway.Component, to string) string {
	if goItself(c) {
		return fmt.Sprintf(": build the app with Go %s or later (raise the `go` line in go.mod and the Go version your CI uses), then commit go.mod.", to)
	}
	s := fmt.Sprintf(": run `go get %s@%s` and `go mod tidy`, then commit go.mod and go.sum.", c.Name, to)
	if transitive(c) {
		s += fmt.Sprintf(" It comes in through %s; `go get` raises it for the whole app.", joinNames(c.IntroducedBy))
	}
	return s
}

func pypiHowTo(c runway.Component, to string) string {
	spec := fmt.Sprintf("%s>=%s", c.Name, to)
	var s string
	switch base := path.Base(c.Source); {
	case base == "poetry.lock":
		s = fmt.Sprintf(": run `poetry add '%s'` and commit pyproject.toml and poetry.lock.", spec)
	case base == "uv.lock":
		s = fmt.Sprintf(": run `uv add '%s'` and commit pyproject.toml and uv.lock.", spec)
	case base == "Pipfile.lock":
		s = fmt.Sprintf(": run `pipenv install '%s'` and commit Pipfile and Pipfile.lock.", spec)
	default:
		file := "requirements.txt"
		if strings.HasSuffix(base, ".txt") {
			file = c.Source
		}
		if transitive(c) {
			s = fmt.Sprintf(": add the line `%s` to %s, run `pip install -r %s`, and commit %s.", spec, file, file, file)
		} else {
			s = fmt.Sprintf(": change its line in %s to `%s==%s`, run `pip install -r %s`, and commit %s.", file, c.Name, to, file, file)
		}
	}
	if transitive(c) {
		s += fmt.Sprintf(" It comes in through %s; naming it yourself makes the installer pick the fixed version.", joinNames(c.IntroducedBy))
	}
	return s
}

func mavenHowTo(c runway.Component, to string) string {
	group, artifact, _ := strings.Cut(c.Name, ":")
	if base := path.Base(c.Source); strings.Contains(base, "gradle") {
		file := "build.gradle (or build.gradle.kts)"
		if strings.HasPrefix(base, "build.gradle") {
			file = base
		}
		if transitive(c) {
			return fmt.Sprintf(". It comes in through %s: in %s add `implementation(\"%s:%s\")` inside `dependencies { constraints { ... } }`, refresh the lockfile if you keep one (`./gradlew dependencies --write-locks`), and commit the changes.", joinNames(c.IntroducedBy), file, c.Name, to)
		}
		return fmt.Sprintf(": change its version to %s in %s, refresh the lockfile if you keep one (`./gradlew dependencies --write-locks`), and commit the changes.", to, file)
	}
	if transitive(c) {
		return fmt.Sprintf(". It comes in through %s: in pom.xml, add a <dependency> with <groupId>%s</groupId>, <artifactId>%s</artifactId> and <version>%s</version> under <dependencyManagement>, then rebuild and commit pom.xml.", joinNames(c.IntroducedBy), group, artifact, to)
	}
	return fmt.Sprintf(": in pom.xml, set the <version> of the %s dependency to %s, then rebuild and commit pom.xml.", c.Name, to)
}

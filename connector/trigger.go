package connector

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database

	"github.com/google/cel-go/common/types"
	"github.com/robfig/cron/v3"
)

// Trigger is what starts a run.
type Trigger struct {
	// Kind is http, webhook or schedule.
	Kind string
	// Method and Path are where requests arrive (http and webhook).
	Method, Path string
	// Cron and TimeZone say when a schedule runs.
	Cron, TimeZone string

	verify   *verify
	schedule cron.Schedule
	input    *input
}

// verify is how a webhook's requests are authenticated.
type verify struct {
	style       string // github, slack or hmac
	integration string
	header      string
}

// Next returns when a schedule next runs after t; the zero time for other
// triggers.
func (t Trigger) Next(after time.Time) time.Time {
	if t.schedule == nil {
		return time.Time{}
	}
	return t.schedule.Next(after)
}

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// trigger compiles the trigger and returns the scope of the steps'
// expressions, or nil when the trigger is unusable.
func (c *compiler) trigger(raw map[string]any) *scope {
	var kinds []string
	for _, k := range []string{"http", "webhook", "schedule"} {
		if raw[k] != nil {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) != 1 {
		c.add("/trigger", fmt.Sprintf("the trigger must be exactly one of http, webhook or schedule, not %s", quoteList(kinds)),
			"Write one: `http:` for web requests, `webhook:` for signed requests from another service, `schedule:` for the clock. One connector has one trigger; make another connector for another one.")
		return nil
	}
	t := &c.c.Trigger
	t.Kind = kinds[0]
	spec := raw[t.Kind].(map[string]any)
	ptr := "/trigger/" + t.Kind
	vars := map[string]*types.Type{
		"now":   types.TimestampType,
		"run":   c.p.define("run", field{"id", types.StringType}),
		"steps": c.steps,
	}
	if t.Kind == "schedule" {
		c.cron(t, spec, ptr)
		vars["schedule"] = c.p.define("schedule", field{"time", types.TimestampType})
	} else {
		t.Method, _ = spec["method"].(string)
		if t.Method == "" {
			t.Method = "POST"
		}
		t.Path, _ = spec["path"].(string)
		if t.Path == healthPath {
			c.add(ptr+"/path", fmt.Sprintf("the path %s is the platform's health check", healthPath), "Choose another path, such as /submit.")
		}
		if t.Kind == "webhook" {
			c.verify(t, spec["verify"].(map[string]any), ptr+"/verify")
		}
		vars["request"] = c.request(t, spec, ptr)
	}
	s, err := newScope(c.p, vars)
	if err != nil {
		c.add(ptr, fmt.Sprintf("the expressions cannot be prepared: %v", err), "")
		return nil
	}
	return s
}

// request defines the type of the `request` variable.
func (c *compiler) request(t *Trigger, spec map[string]any, ptr string) *types.Type {
	body := types.NewMapType(types.StringType, types.DynType)
	if raw, ok := spec["input"].(map[string]any); ok {
		in, bt, err := compileInput(c.p, raw)
		if err != nil {
			c.add(ptr+"/input", fmt.Sprintf("the input cannot be used: %v", err), "Check each field's pattern (a regular expression) and types.")
		} else {
			t.input, body = in, bt
		}
	}
	texts := types.NewMapType(types.StringType, types.StringType)
	return c.p.define("request",
		field{"method", types.StringType}, field{"path", types.StringType},
		field{"query", texts}, field{"headers", texts}, field{"body", body})
}

func (c *compiler) verify(t *Trigger, spec map[string]any, ptr string) {
	v := &verify{}
	v.style, _ = spec["style"].(string)
	v.integration, _ = spec["integration"].(string)
	v.header, _ = spec["header"].(string)
	in, ok := c.integration(v.integration)
	switch {
	case !ok:
		c.add(ptr+"/integration", fmt.Sprintf("the webhook is verified with integration `%s`, which runway.yaml does not declare%s", v.integration, didYouMean(v.integration, c.integrationNames())),
			"Declare the service that sends the webhook under integrations: in runway.yaml, with `requires_secret: true` and the name of its signing secret in `secret:`.")
	case in.Secret == "":
		c.add(ptr+"/integration", fmt.Sprintf("integration `%s` names no secret to verify the webhook with", v.integration),
			"Add `requires_secret: true` and `secret: NAME` to it in runway.yaml: NAME is where the platform keeps the signing secret the service gave you.")
	default:
		c.c.used[in.Name] = in
	}
	switch {
	case v.style == "hmac" && v.header == "":
		c.add(ptr, "the hmac style needs the name of the header that carries the signature", "Add `header:`, such as `header: X-Signature`.")
	case v.style != "hmac" && v.header != "":
		c.add(ptr+"/header", fmt.Sprintf("the %s style has its own header; `header` goes with style hmac only", v.style), "Remove `header`.")
	}
	t.verify = v
}

func (c *compiler) cron(t *Trigger, spec map[string]any, ptr string) {
	t.Cron, _ = spec["cron"].(string)
	t.TimeZone, _ = spec["time_zone"].(string)
	loc := time.UTC
	if t.TimeZone != "" {
		l, err := time.LoadLocation(t.TimeZone)
		if err != nil || t.TimeZone == "Local" {
			c.add(ptr+"/time_zone", fmt.Sprintf("time zone `%s` is not known", t.TimeZone), "Write an IANA name, such as Europe/Paris, America/New_York or UTC.")
			return
		}
		loc = l
	}
	const hint = "Write five fields: minute hour day-of-month month day-of-week, such as `0 9 * * 1-5` (9:00 on weekdays) or `*/15 * * * *` (every 15 minutes)."
	if strings.Contains(t.Cron, "TZ=") || strings.HasPrefix(strings.TrimSpace(t.Cron), "@every") {
		c.add(ptr+"/cron", fmt.Sprintf("cron `%s` is not supported here", t.Cron), hint+" Put the time zone in `time_zone`.")
		return
	}
	s, err := cronParser.Parse(t.Cron)
	if err != nil {
		c.add(ptr+"/cron", fmt.Sprintf("cron `%s` is not valid: %v", t.Cron, err), hint)
		return
	}
	if spec, ok := s.(*cron.SpecSchedule); ok {
		spec.Location = loc
		if spec.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, loc)).IsZero() {
			c.add(ptr+"/cron", fmt.Sprintf("cron `%s` never happens", t.Cron), "No month has that day: check the day-of-month and month fields.")
			return
		}
	}
	t.schedule = s
}

// factsOf sums up the compiled connector for policy.
func (c *compiler) factsOf() Facts {
	t := c.c.Trigger
	f := Facts{
		Trigger: TriggerFacts{Kind: t.Kind, Method: t.Method, Path: t.Path, Cron: t.Cron, TimeZone: t.TimeZone},
		Steps:   len(c.ids), Actions: []string{}, Integrations: []string{}, Hosts: []string{}, DynamicURLs: c.dynamic,
	}
	if t.verify != nil {
		f.Trigger.Verify = t.verify.style
	}
	for a := range c.actions {
		f.Actions = append(f.Actions, a)
	}
	for name := range c.c.used {
		f.Integrations = append(f.Integrations, name)
	}
	for h := range c.hosts {
		f.Hosts = append(f.Hosts, h)
	}
	f.Actions, f.Integrations, f.Hosts = sortedCopy(f.Actions), sortedCopy(f.Integrations), sortedCopy(f.Hosts)
	return f
}

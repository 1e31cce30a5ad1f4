package notify

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/runwayhq/runway"
	"github.com/slack-go/slack"
)

// Action IDs of the buttons in Slack messages, and the callback ID of the
// reject dialog: ParseInteraction recognises them.
const (
	SlackApproveAction = "runway_approve"
	SlackRejectAction  = "runway_reject"
	SlackOpenAction    = "runway_open"
	SlackRejectDialog  = "runway_reject"
)

// Limits of Slack's Block Kit, in characters.
const (
	slackHeaderMax  = 150
	slackSectionMax = 3000
	slackFieldMax   = 2000
	slackURLMax     = 3000
)

// slackBlocks builds the Block Kit message for n. With interactive, a
// notice asking for a decision gets Approve and Reject buttons that post
// back to Runway.
func slackBlocks(n runway.Notice, interactive bool) []slack.Block {
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(truncate(orDefault(n.Title, "Runway notice"), slackHeaderMax))),
	}
	if f := facts(n); len(f) > 0 {
		fields := make([]*slack.TextBlockObject, len(f))
		for i, x := range f {
			fields[i] = mrkdwn("*" + x.Label + "*\n" + escape(x.Value, slackFieldMax-len(x.Label)-3))
		}
		blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil))
	}
	for _, s := range []string{strings.Join(n.Text, "\n"), findingsLine(n.Findings), sbomLine(n)} {
		if strings.TrimSpace(s) != "" {
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(escape(s, slackSectionMax)), nil, nil))
		}
	}
	if a := slackActions(n, interactive); a != nil {
		blocks = append(blocks, a)
	}
	return blocks
}

// slackActions returns the buttons of the message, or nil when it has
// none.
func slackActions(n runway.Notice, interactive bool) *slack.ActionBlock {
	var buttons []slack.BlockElement
	if interactive && actionable(n) {
		id := strconv.FormatInt(n.PromotionID, 10)
		what := "this promotion"
		if n.App != "" && n.Environment != "" {
			what = truncate(n.App, 80) + " to " + string(n.Environment)
		}
		confirm := slack.NewConfirmationBlockObject(plain("Approve the promotion?"),
			plain("You approve "+what+". Runway records your name with the approval."),
			plain("Approve"), plain("Cancel"))
		buttons = append(buttons,
			slack.NewButtonBlockElement(SlackApproveAction, id, plain("Approve")).
				WithStyle(slack.StylePrimary).WithConfirm(confirm),
			slack.NewButtonBlockElement(SlackRejectAction, id, plain("Reject")).
				WithStyle(slack.StyleDanger))
	}
	if _, ok := webURL(n.URL); ok && len(n.URL) <= slackURLMax {
		buttons = append(buttons, slack.NewButtonBlockElement(SlackOpenAction, "", plain("Open in Runway")).WithURL(n.URL))
	}
	if len(buttons) == 0 {
		return nil
	}
	return slack.NewActionBlock("runway_actions", buttons...)
}

// slackText is the message's plain fallback, shown in notifications and
// by clients that cannot show blocks.
func slackText(n runway.Notice) string {
	lines := []string{orDefault(n.Title, "Runway notice")}
	lines = append(lines, n.Text...)
	if n.URL != "" {
		lines = append(lines, n.URL)
	}
	return escape(strings.Join(lines, "\n"), slackSectionMax)
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

// escape escapes s for Slack's mrkdwn, so that text from users cannot
// mention @channel or make links, and cuts it to at most max characters
// without splitting an escape.
func escape(s string, max int) string {
	if e := escaper.Replace(s); utf8.RuneCountInString(e) <= max {
		return e
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		e := escaper.Replace(string(r))
		if n+utf8.RuneCountInString(e) > max-1 {
			break
		}
		b.WriteString(e)
		n += utf8.RuneCountInString(e)
	}
	return b.String() + "…"
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

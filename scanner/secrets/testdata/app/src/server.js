const express = require("express");
const { WebClient } = require("@slack/web-api");

const app = express();
app.use(express.json());

// TODO: move this to the secret store before going live.
const slack = new WebClient("{{SLACK_BOT_TOKEN}}");

app.get("/healthz", (req, res) => res.send("ok"));

app.post("/expenses", async (req, res) => {
  const { amount, description, lead } = req.body;
  await slack.chat.postMessage({
    channel: lead,
    text: `New expense to approve: ${description} (${amount} EUR)`,
  });
  res.status(201).json({ status: "submitted" });
});

app.listen(process.env.PORT || 3000);

const { Octokit } = require("@octokit/rest");

// Reads the team's repositories to link expenses to projects.
const octokit = new Octokit({
  auth: "{{GITHUB_PAT}}",
});

async function projects(org) {
  const { data } = await octokit.repos.listForOrg({ org });
  return data.map((r) => r.name);
}

module.exports = { projects };

package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/config"
)

func write(t *testing.T, path, data string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLayering: defaults, then the file, then the environment.
func TestLayering(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	write(t, filepath.Join(home, ".config", "runway", "config.yaml"), "check:\n  timeout: 90s\n  parallel: 3\ncolor: never\n")
	tests := []struct {
		name    string
		environ []string
		want    config.Check
		color   string
	}{
		{"file only", nil, config.Check{Timeout: config.Duration(90 * time.Second), Parallel: 3, CacheDir: filepath.Join(home, ".cache", "runway", "check")}, "never"},
		{"env over file", []string{"RUNWAY_CHECK_TIMEOUT=2m", "RUNWAY_COLOR=always", "RUNWAY_CHECK_CACHE_DIR="}, config.Check{Timeout: config.Duration(2 * time.Minute), Parallel: 3}, "always"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Load(config.Sources{Environ: append([]string{"HOME=" + home}, tt.environ...)})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, cfg.Check); diff != "" {
				t.Errorf("-want +got:\n%s", diff)
			}
			if cfg.Color != tt.color {
				t.Errorf("color = %q, want %q", cfg.Color, tt.color)
			}
		})
	}
}

func TestDefaultsWithoutFile(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(config.Sources{Environ: []string{"XDG_CONFIG_HOME=" + t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(config.Default().Check, cfg.Check); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
}

// TestEnvironForApps: the app's commands never see Runway's variables.
func TestEnvironForApps(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(config.Sources{Environ: []string{"PATH=/bin", "RUNWAY_TOKEN=s3cr3t", "NO_COLOR=1", "GITHUB_STEP_SUMMARY=/tmp/s"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"PATH=/bin", "NO_COLOR=1", "GITHUB_STEP_SUMMARY=/tmp/s"}, cfg.Environ); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
	if !cfg.NoColor || cfg.GitHubStepSummary != "/tmp/s" {
		t.Errorf("standard variables not honoured: %+v", cfg)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := write(t, filepath.Join(dir, "bad.yaml"), "check:\n  timout: 5m\n")
	tests := []struct {
		name string
		src  config.Sources
		want string
	}{
		{"unknown key in file", config.Sources{File: bad}, "unknown key `timout` — did you mean `timeout`?"},
		{"named file missing", config.Sources{File: filepath.Join(dir, "nope.yaml")}, "does not exist"},
		{"RUNWAY_CONFIG missing", config.Sources{Environ: []string{"RUNWAY_CONFIG=" + filepath.Join(dir, "nope.yaml")}}, "does not exist"},
		{"bad timeout", config.Sources{Environ: []string{"RUNWAY_CHECK_TIMEOUT=soon"}}, `RUNWAY_CHECK_TIMEOUT="soon" is not valid: it must be a duration such as 10m`},
		{"bad parallel", config.Sources{Environ: []string{"RUNWAY_CHECK_PARALLEL=-1"}}, "RUNWAY_CHECK_PARALLEL"},
		{"bad colour", config.Sources{Environ: []string{"RUNWAY_COLOR=blue"}}, "auto, always or never"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(tt.src)
			if runway.ErrorCode(err) != runway.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v (code %q), want EINVALID containing %q", err, runway.ErrorCode(err), tt.want)
			}
		})
	}
}

func TestVulnAndPolicySettings(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	cfg, err := config.Load(config.Sources{Environ: []string{"HOME=" + home}})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(home, ".cache", "runway", "vulndb"); cfg.Vuln.DB != want {
		t.Errorf("default vulnerability database = %q, want %q", cfg.Vuln.DB, want)
	}
	cfg, err = config.Load(config.Sources{Environ: []string{
		"HOME=" + home, "RUNWAY_VULN_DB=/srv/osv", "RUNWAY_VULN_MIRROR=http://mirror.internal/osv",
		"RUNWAY_POLICY=/etc/runway/policies:/srv/bundle.tar.gz", "RUNWAY_POLICY_EXCEPTIONS=/etc/runway/exceptions.yaml",
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := config.Config{
		Vuln:   config.Vuln{DB: "/srv/osv", Mirror: "http://mirror.internal/osv"},
		Policy: config.Policy{Dirs: []string{"/etc/runway/policies", "/srv/bundle.tar.gz"}, Exceptions: "/etc/runway/exceptions.yaml"},
	}
	if diff := cmp.Diff(want.Vuln, cfg.Vuln); diff != "" {
		t.Errorf("vuln -want +got:\n%s", diff)
	}
	if diff := cmp.Diff(want.Policy, cfg.Policy); diff != "" {
		t.Errorf("policy -want +got:\n%s", diff)
	}
}

// TestApprovalsAndNotify: windows, freezes and channels from the file;
// their secrets only from the environment.
func TestApprovalsAndNotify(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	file := write(t, filepath.Join(home, "runway.yaml"), `approvals:
  expiry: {"3": 72h}
  fallback_role: security
  windows:
    - name: weekday mornings
      cron: "0 9 * * 1-4"
      duration: 6h
      time_zone: Europe/Berlin
      tiers: [3]
      environments: [production]
  freezes:
    - name: year end
      from: 2026-12-20T00:00:00Z
      to: 2027-01-04T00:00:00Z
      reason: year-end freeze
notify:
  slack: {channel: "#releases"}
  webhooks:
    - {name: siem, url: "https://siem.example.com/hook", secret_env: RUNWAY_SIEM_SECRET, events: [promotion.break_glass]}
`)
	env := []string{"HOME=" + home, "RUNWAY_SLACK_BOT_TOKEN=xoxb-1", "RUNWAY_SLACK_SIGNING_SECRET=s3", "RUNWAY_SIEM_SECRET=hook-secret"}
	cfg, err := config.Load(config.Sources{Environ: env, File: file})
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Approvals
	if a.Expiry["3"] != config.Duration(72*time.Hour) || a.FallbackRole != "security" || len(a.Windows) != 1 || a.Windows[0].TimeZone != "Europe/Berlin" ||
		time.Duration(a.Windows[0].Duration) != 6*time.Hour || !a.Freezes[0].To.Equal(time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("approvals: %+v", a)
	}
	n := cfg.Notify
	if n.Slack.BotToken != "xoxb-1" || n.Slack.SigningSecret != "s3" || n.Slack.Channel != "#releases" || n.Webhooks[0].Secret != "hook-secret" {
		t.Errorf("notify: %+v", n)
	}
	// A webhook whose secret variable is not set is an error that names it.
	_, err = config.Load(config.Sources{Environ: env[:3], File: file})
	if err == nil || !strings.Contains(err.Error(), "set RUNWAY_SIEM_SECRET") {
		t.Errorf("missing webhook secret: %v", err)
	}
	// Secrets are never read from the file.
	bad := write(t, filepath.Join(home, "bad.yaml"), "notify:\n  slack:\n    bot_token: xoxb-in-a-file\n")
	if _, err := config.Load(config.Sources{Environ: env, File: bad}); err == nil {
		t.Error("a bot token in the file was accepted")
	}
}

// TestSecrets: the backend, key files and Vault's address from the file;
// key material and the Vault token from the environment only.
func TestSecrets(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	file := write(t, filepath.Join(home, "runway.yaml"), `secrets:
  backend: vault
  master_key_file: /etc/runway/master.key
  old_master_key_files: [/etc/runway/master-2025.key]
  vault: {address: "https://vault.example.com:8200", mount: kv, prefix: platform/runway}
`)
	cfg, err := config.Load(config.Sources{Environ: []string{"HOME=" + home, "RUNWAY_VAULT_TOKEN=hvs.canary-token"}, File: file})
	if err != nil {
		t.Fatal(err)
	}
	want := config.Secrets{Backend: "vault", MasterKeyFile: "/etc/runway/master.key", OldMasterKeyFiles: []string{"/etc/runway/master-2025.key"},
		Vault: config.Vault{Address: "https://vault.example.com:8200", Mount: "kv", Prefix: "platform/runway", Token: "hvs.canary-token"}}
	if diff := cmp.Diff(want, cfg.Secrets); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
	// The variables override the file; the key's value never reaches an
	// app's commands.
	cfg, err = config.Load(config.Sources{Environ: []string{"HOME=" + home, "RUNWAY_MASTER_KEY_FILE=/run/secrets/key", "RUNWAY_VAULT_ADDR=https://vault.internal"}, File: file})
	if err != nil || cfg.Secrets.MasterKeyFile != "/run/secrets/key" || cfg.Secrets.Vault.Address != "https://vault.internal" {
		t.Errorf("variables over the file: %v %+v", err, cfg.Secrets)
	}
	cfg, err = config.Load(config.Sources{Environ: []string{"HOME=" + home, "RUNWAY_MASTER_KEY=a2V5LW1hdGVyaWFs"}})
	if err != nil || cfg.Secrets.MasterKey != "a2V5LW1hdGVyaWFs" || cfg.Secrets.Backend != config.SecretsLocal {
		t.Errorf("RUNWAY_MASTER_KEY: %v %+v", err, cfg.Secrets)
	}
	for _, kv := range cfg.Environ {
		if strings.Contains(kv, "a2V5LW1hdGVyaWFs") {
			t.Error("the master key reaches the app's environment")
		}
	}
	tests := []struct {
		name, file string
		environ    []string
		want       string
	}{
		{"a key in the file", "secrets:\n  master_key: a2V5LW1hdGVyaWFs\n", nil, "unknown key `master_key`"},
		{"a Vault token in the file", "secrets:\n  vault:\n    token: hvs.in-a-file\n", nil, "unknown key `token`"},
		{"an unknown backend", "secrets:\n  backend: kms\n", nil, "backend"},
		{"a key and a key file", "secrets:\n  master_key_file: /etc/runway/master.key\n", []string{"RUNWAY_MASTER_KEY=a2V5"}, "keep one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := write(t, filepath.Join(t.TempDir(), "runway.yaml"), tt.file)
			_, err := config.Load(config.Sources{Environ: append([]string{"HOME=" + home}, tt.environ...), File: f})
			if runway.ErrorCode(err) != runway.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want EINVALID containing %q", err, tt.want)
			}
			for _, secret := range []string{"a2V5LW1hdGVyaWFs", "hvs.in-a-file"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error quotes the secret: %v", err)
				}
			}
		})
	}
}

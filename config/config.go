// Package config is the one place Runway reads its settings: defaults, then
// a config file, then RUNWAY_* environment variables, each overriding the
// one before; command-line flags override all of them in cmd/runway. It is
// the only package that looks at the environment: everything else receives
// explicit options.
//
// It imports the root package, schema and yamlfile; nothing else of Runway.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/schema"
	"github.com/runwayhq/runway/yamlfile"
)

// Config is every setting of the CLI.
type Config struct {
	Check  Check  `json:"check"`
	Vuln   Vuln   `json:"vuln"`
	Policy Policy `json:"policy"`
	Server Server `json:"server"`
	Client Client `json:"client"`
	// Approvals configure promotion requests.
	Approvals Approvals `json:"approvals"`
	// Notify configures where notices go.
	Notify Notify `json:"notify"`
	// Canary adjusts the production canary's analysis for every tier.
	Canary Canary `json:"canary"`
	// Secrets configures where the server keeps app secrets.
	Secrets Secrets `json:"secrets"`
	// Color is auto, always or never.
	Color string `json:"color"`
	// NoColor is true when NO_COLOR is set (see no-color.org); it wins
	// over Color=auto.
	NoColor bool `json:"-"`
	// GitHubStepSummary is the file GitHub Actions reads the job summary
	// from ($GITHUB_STEP_SUMMARY); empty outside Actions.
	GitHubStepSummary string `json:"-"`
	// Environ is the process environment with Runway's own variables
	// removed: what the app's build, lint and test commands see, so the
	// platform token never reaches an app's scripts.
	Environ []string `json:"-"`
	// File is the config file that was read, if any.
	File string `json:"-"`
}

// Check configures `runway check`.
type Check struct {
	// Timeout bounds each check.
	Timeout Duration `json:"timeout"`
	// Parallel bounds how many checks run at once (0: one per CPU).
	Parallel int `json:"parallel"`
	// CacheDir holds results that can be reused between runs (the secrets
	// scan of unchanged files); empty disables caching. It must lie outside
	// the app's folder, where anyone who can commit could forge it.
	CacheDir string `json:"cache_dir"`
}

// Vuln configures the offline vulnerability database.
type Vuln struct {
	// DB is the database folder (default: the user's cache folder's
	// runway/vulndb).
	DB string `json:"db"`
	// Mirror is the base URL `runway db update` downloads the OSV
	// archives from (ECOSYSTEM/all.zip under it). No default: the
	// platform team sets its mirror.
	Mirror string `json:"mirror"`
}

// Policy configures policy as code.
type Policy struct {
	// Dirs are folders or bundle archives of the organisation's policies,
	// evaluated beside the built-in ones.
	Dirs []string `json:"dirs"`
	// Exceptions is a file of time-limited policy exceptions.
	Exceptions string `json:"exceptions"`
}

// Approvals configure promotion requests: expiry, reminders, the fallback
// approver of one-person teams, release windows and freezes.
type Approvals struct {
	// Expiry is how long requests and approvals stay valid, per tier
	// ("1", "2", "3"); 7 days by default.
	Expiry map[string]Duration `json:"expiry"`
	// RemindBefore is how long before expiry approvers are reminded
	// (default 24h).
	RemindBefore Duration `json:"remind_before"`
	// FallbackRole approves instead of a team lead in teams without
	// another one (default platform).
	FallbackRole string `json:"fallback_role"`
	// Windows are recurring release windows; Freezes close releases.
	Windows []Window `json:"windows"`
	Freezes []Window `json:"freezes"`
}

// Window is a recurring release window (Cron and Duration) or a period
// (From and To), in a time zone, for some tiers and environments.
type Window struct {
	Name         string    `json:"name"`
	Cron         string    `json:"cron"`
	Duration     Duration  `json:"duration"`
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	TimeZone     string    `json:"time_zone"`
	Tiers        []int     `json:"tiers"`
	Environments []string  `json:"environments"`
	Reason       string    `json:"reason"`
}

// Notify configures the channels notices go to. Secret parts come from
// the environment only: RUNWAY_SLACK_WEBHOOK_URL, RUNWAY_SLACK_BOT_TOKEN,
// RUNWAY_SLACK_SIGNING_SECRET, RUNWAY_TEAMS_WEBHOOK_URL, and the variable
// each webhook names in secret_env.
type Notify struct {
	Slack    Slack     `json:"slack"`
	Teams    Teams     `json:"teams"`
	Webhooks []Webhook `json:"webhooks"`
	// AllowPrivateHosts lets notices reach these hosts or networks (CIDR)
	// although they are private or loopback addresses.
	AllowPrivateHosts []string `json:"allow_private_hosts"`
}

// Slack posts notices to a channel, through an incoming webhook or a bot
// token; with the bot token and the signing secret, its buttons approve.
type Slack struct {
	Channel       string `json:"channel"`
	APIURL        string `json:"api_url"`
	WebhookURL    string `json:"-"`
	BotToken      string `json:"-"`
	SigningSecret string `json:"-"`
}

// Teams posts notices to a Microsoft Teams channel's incoming webhook.
type Teams struct {
	WebhookURL string `json:"-"`
}

// Webhook posts notices as signed JSON to a URL.
type Webhook struct {
	Name string `json:"name"`
	URL  string `json:"url"`
	// SecretEnv names the environment variable holding the signing secret.
	SecretEnv string `json:"secret_env"`
	Secret    string `json:"-"`
	// Events limits the notice kinds sent (empty: all).
	Events []string `json:"events"`
}

// Canary adjusts the canary analysis (package rollout) of production
// releases; zero fields keep each tier's defaults.
type Canary struct {
	// MinBake is the shortest time at each step.
	MinBake Duration `json:"min_bake"`
	// MinRequests is the fewest users' requests at each step.
	MinRequests int `json:"min_requests"`
}

// Server configures `runway up`.
type Server struct {
	// Addr is the address to listen on (default 127.0.0.1:8080).
	Addr string `json:"addr"`
	// CrashAfterCommits is for durability tests only: the server kills
	// itself right after its Nth committed deployment change
	// (RUNWAY_TEST_CRASH_AFTER_COMMITS; never in a file).
	CrashAfterCommits int `json:"-"`
	// AppsAddr is where the apps are served, through the proxy
	// (APP.ENV.localhost and /apps/APP/ENV/); default: Addr's host and
	// the next port (port 0 stays 0).
	AppsAddr string `json:"apps_addr"`
	// Data is the folder for the SQLite database and other state
	// (default ./runway-data).
	Data string `json:"data"`
	// DatabaseURL, when set, is a postgres:// URL used instead of SQLite.
	DatabaseURL string `json:"database_url"`
	// PublicURL is the address people use to reach the server; an https
	// URL makes session cookies Secure. Default: http://Addr.
	PublicURL string `json:"public_url"`
	// OTLPEndpoint, when set, receives OpenTelemetry traces (OTLP/HTTP).
	OTLPEndpoint string `json:"otlp_endpoint"`
	// OIDC, when its issuer is set, enables single sign-on on the web.
	OIDC OIDC `json:"oidc"`
}

// OIDC configures single sign-on with an OpenID Connect provider.
type OIDC struct {
	Issuer   string `json:"issuer"`
	ClientID string `json:"client_id"`
	// ClientSecret comes from RUNWAY_OIDC_CLIENT_SECRET only, never from
	// the file.
	ClientSecret string `json:"-"`
	// GroupsClaim names the ID token claim with the person's groups
	// (default "groups").
	GroupsClaim string `json:"groups_claim"`
	// Mappings give the members of a provider group a Runway role.
	Mappings []OIDCMapping `json:"mappings"`
}

// OIDCMapping gives the members of Group the role Role (on Team for the
// team roles developer and team-lead).
type OIDCMapping struct {
	Group string `json:"group"`
	Role  string `json:"role"`
	Team  string `json:"team"`
}

// Secrets configures app secrets on the server: the master key that seals
// them in the database (backend local), or HashiCorp Vault (backend vault).
// Key material and the Vault token come from the environment only.
type Secrets struct {
	// Backend is "local" (default: sealed in Runway's database) or
	// "vault".
	Backend string `json:"backend"`
	// MasterKeyFile holds the master key (32 bytes, raw, base64 or hex),
	// readable by the server only. RUNWAY_MASTER_KEY_FILE overrides it.
	MasterKeyFile string `json:"master_key_file"`
	// MasterKey is the master key itself, from RUNWAY_MASTER_KEY only
	// (for platforms that hand secrets over in variables).
	MasterKey string `json:"-"`
	// OldMasterKeyFiles hold keys a rotation is moving away from: secrets
	// sealed under them still open until `runway secrets rotate-key` has
	// re-sealed them.
	OldMasterKeyFiles []string `json:"old_master_key_files"`
	// Vault configures backend vault.
	Vault Vault `json:"vault"`
}

// Vault configures HashiCorp Vault's KV version 2 engine as the secrets
// backend.
type Vault struct {
	// Address is Vault's URL; RUNWAY_VAULT_ADDR overrides it.
	Address string `json:"address"`
	// Mount is the KV version 2 mount (default "secret").
	Mount string `json:"mount"`
	// Prefix is the folder under the mount for Runway (default "runway").
	Prefix string `json:"prefix"`
	// Namespace is a Vault Enterprise namespace.
	Namespace string `json:"namespace"`
	// Token comes from RUNWAY_VAULT_TOKEN only, never from the file.
	Token string `json:"-"`
}

// Secrets backends.
const (
	SecretsLocal = "local"
	SecretsVault = "vault"
)

// Client configures the commands that talk to a Runway server.
type Client struct {
	// URL is the server's address.
	URL string `json:"url"`
	// Token is the API token from RUNWAY_TOKEN; never read from the config
	// file, which people share. Without it the token `runway login` kept
	// in CredentialsFile is used.
	Token string `json:"-"`
	// CredentialsFile is where `runway login` keeps tokens, per server
	// (runway/credentials.json in the user's config folder).
	CredentialsFile string `json:"-"`
}

// Duration is a time.Duration written as "90s" or "10m" in files and
// variables.
type Duration time.Duration

// UnmarshalJSON reads "10m".
func (d *Duration) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf("a duration is text such as \"10m\"")
	}
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}

// Default returns the built-in settings.
func Default() Config {
	return Config{
		Check:   Check{Timeout: Duration(10 * time.Minute)},
		Color:   "auto",
		Server:  Server{Addr: "127.0.0.1:8080", Data: "runway-data"},
		Secrets: Secrets{Backend: SecretsLocal},
	}
}

// Sources are where Load looks.
type Sources struct {
	// Environ is the process environment as KEY=VALUE.
	Environ []string
	// File is a config file named on the command line; when empty,
	// RUNWAY_CONFIG is tried, then runway/config.yaml in the user's config
	// folder ($XDG_CONFIG_HOME, else $HOME/.config) when it exists.
	File string
}

// Load builds the configuration from defaults, the file and the
// environment. Problems are EINVALID errors naming the file or variable.
func Load(src Sources) (Config, error) {
	cfg := Default()
	env := envMap(src.Environ)
	file, explicit := src.File, src.File != ""
	if file == "" {
		file, explicit = env["RUNWAY_CONFIG"], env["RUNWAY_CONFIG"] != ""
	}
	if file == "" {
		file = userConfigFile(env)
	}
	if file != "" {
		read, err := readFile(file, &cfg)
		switch {
		case err != nil && (explicit || !errors.Is(err, fs.ErrNotExist)):
			return cfg, err
		case read:
			cfg.File = file
		}
	}
	if err := applyEnv(&cfg, env); err != nil {
		return cfg, err
	}
	if f := userConfigFile(env); f != "" {
		cfg.Client.CredentialsFile = filepath.Join(filepath.Dir(f), "credentials.json")
	}
	if cfg.Vuln.DB == "" {
		cfg.Vuln.DB = cacheDir(env, "vulndb")
	}
	if _, set := env["RUNWAY_CHECK_CACHE_DIR"]; !set && cfg.Check.CacheDir == "" {
		cfg.Check.CacheDir = cacheDir(env, "check")
	}
	for _, kv := range src.Environ {
		if !strings.HasPrefix(kv, "RUNWAY_") {
			cfg.Environ = append(cfg.Environ, kv)
		}
	}
	return cfg, nil
}

var compiled = sync.OnceValues(func() (*yamlfile.Schema, error) {
	return yamlfile.CompileSchema("config.schema.json", schema.Config)
})

// readFile merges the file at path into cfg. It reports whether the file
// existed.
func readFile(path string, cfg *Config) (bool, error) {
	doc, err := yamlfile.ReadFile(path, path, yamlfile.DefaultLimits)
	if errors.Is(err, fs.ErrNotExist) {
		return false, &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("config file %s does not exist", path), Err: err}
	}
	if err != nil {
		return true, &runway.Error{Code: runway.EINVALID, Message: "config file has problems", Err: err}
	}
	s, err := compiled()
	if err != nil {
		return true, err
	}
	if err := doc.Validate(s); err != nil {
		return true, &runway.Error{Code: runway.EINVALID, Message: "config file has problems", Err: err}
	}
	return true, doc.Decode(cfg)
}

// applyEnv applies the RUNWAY_* variables and the few standard ones Runway
// honours.
func applyEnv(cfg *Config, env map[string]string) error {
	bad := func(name, want string) error {
		return runway.Errorf(runway.EINVALID, "%s=%q is not valid: it must be %s", name, env[name], want)
	}
	if v, ok := env["RUNWAY_CHECK_TIMEOUT"]; ok {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return bad("RUNWAY_CHECK_TIMEOUT", "a duration such as 10m")
		}
		cfg.Check.Timeout = Duration(d)
	}
	if v, ok := env["RUNWAY_CHECK_PARALLEL"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return bad("RUNWAY_CHECK_PARALLEL", "a whole number, 0 for one per CPU")
		}
		cfg.Check.Parallel = n
	}
	if v, ok := env["RUNWAY_CHECK_CACHE_DIR"]; ok {
		cfg.Check.CacheDir = v
	}
	if v, ok := env["RUNWAY_COLOR"]; ok {
		if err := ValidColor(v); err != nil {
			return bad("RUNWAY_COLOR", "auto, always or never")
		}
		cfg.Color = v
	}
	if v, ok := env["RUNWAY_VULN_DB"]; ok {
		cfg.Vuln.DB = v
	}
	if v, ok := env["RUNWAY_VULN_MIRROR"]; ok {
		cfg.Vuln.Mirror = v
	}
	if v, ok := env["RUNWAY_POLICY"]; ok {
		cfg.Policy.Dirs = filepath.SplitList(v)
	}
	if v, ok := env["RUNWAY_POLICY_EXCEPTIONS"]; ok {
		cfg.Policy.Exceptions = v
	}
	for name, field := range map[string]*string{
		"RUNWAY_ADDR": &cfg.Server.Addr, "RUNWAY_APPS_ADDR": &cfg.Server.AppsAddr, "RUNWAY_DATA": &cfg.Server.Data, "RUNWAY_DATABASE_URL": &cfg.Server.DatabaseURL,
		"RUNWAY_PUBLIC_URL": &cfg.Server.PublicURL, "RUNWAY_OTLP_ENDPOINT": &cfg.Server.OTLPEndpoint,
		"RUNWAY_URL": &cfg.Client.URL, "RUNWAY_TOKEN": &cfg.Client.Token,
		"RUNWAY_OIDC_ISSUER": &cfg.Server.OIDC.Issuer, "RUNWAY_OIDC_CLIENT_ID": &cfg.Server.OIDC.ClientID,
		"RUNWAY_OIDC_CLIENT_SECRET": &cfg.Server.OIDC.ClientSecret,
		"RUNWAY_SLACK_WEBHOOK_URL":  &cfg.Notify.Slack.WebhookURL, "RUNWAY_SLACK_BOT_TOKEN": &cfg.Notify.Slack.BotToken,
		"RUNWAY_SLACK_SIGNING_SECRET": &cfg.Notify.Slack.SigningSecret, "RUNWAY_TEAMS_WEBHOOK_URL": &cfg.Notify.Teams.WebhookURL,
		"RUNWAY_MASTER_KEY_FILE": &cfg.Secrets.MasterKeyFile, "RUNWAY_MASTER_KEY": &cfg.Secrets.MasterKey,
		"RUNWAY_VAULT_ADDR": &cfg.Secrets.Vault.Address, "RUNWAY_VAULT_TOKEN": &cfg.Secrets.Vault.Token,
	} {
		if v, ok := env[name]; ok {
			*field = v
		}
	}
	if err := checkSecrets(&cfg.Secrets); err != nil {
		return err
	}
	if v, ok := env["RUNWAY_TEST_CRASH_AFTER_COMMITS"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return bad("RUNWAY_TEST_CRASH_AFTER_COMMITS", "a whole number")
		}
		cfg.Server.CrashAfterCommits = n
	}
	for i := range cfg.Notify.Webhooks {
		h := &cfg.Notify.Webhooks[i]
		if h.SecretEnv == "" {
			continue
		}
		if !strings.HasPrefix(h.SecretEnv, "RUNWAY_") {
			return runway.Errorf(runway.EINVALID, "webhook %q: secret_env %q must name a RUNWAY_* variable, so the secret never reaches an app's scripts", h.Name, h.SecretEnv)
		}
		v, ok := env[h.SecretEnv]
		if !ok || v == "" {
			return runway.Errorf(runway.EINVALID, "webhook %q: set %s to its signing secret", h.Name, h.SecretEnv)
		}
		h.Secret = v
	}
	_, cfg.NoColor = env["NO_COLOR"]
	cfg.GitHubStepSummary = env["GITHUB_STEP_SUMMARY"]
	return nil
}

// checkSecrets refuses settings that contradict each other. What only the
// server needs (a Vault token, a readable key) is checked when it starts,
// so that a shared config file does not stop other commands.
func checkSecrets(s *Secrets) error {
	if s.Backend == "" {
		s.Backend = SecretsLocal
	}
	switch {
	case s.Backend != SecretsLocal && s.Backend != SecretsVault:
		return runway.Errorf(runway.EINVALID, "secrets.backend %q is not one of local, vault", s.Backend)
	case s.MasterKey != "" && s.MasterKeyFile != "":
		return runway.Errorf(runway.EINVALID, "both RUNWAY_MASTER_KEY and a master key file (secrets.master_key_file or RUNWAY_MASTER_KEY_FILE) are set: keep one, so it is clear which key seals new secrets")
	}
	return nil
}

// ValidColor reports whether v is a colour mode.
func ValidColor(v string) error {
	switch v {
	case "auto", "always", "never":
		return nil
	}
	return runway.Errorf(runway.EINVALID, "colour mode %q is not one of auto, always, never", v)
}

func envMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// cacheDir returns the folder name under the user's cache folder
// ($XDG_CACHE_HOME, else $HOME/.cache)/runway, or "" without a home.
func cacheDir(env map[string]string, name string) string {
	dir := env["XDG_CACHE_HOME"]
	if dir == "" && env["HOME"] != "" {
		dir = filepath.Join(env["HOME"], ".cache")
	}
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, "runway", name)
}

// userConfigFile returns the default config file, as os.UserConfigDir
// would find it on Unix, or "" without a home.
func userConfigFile(env map[string]string) string {
	dir := env["XDG_CONFIG_HOME"]
	if dir == "" && env["HOME"] != "" {
		dir = filepath.Join(env["HOME"], ".config")
	}
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, "runway", "config.yaml")
}

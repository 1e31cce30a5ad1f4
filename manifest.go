package runway

// ManifestFile is the name of the manifest in an app's root folder.
const ManifestFile = "runway.yaml"

// Manifest is an app's runway.yaml: who owns it, what it touches and how the
// platform builds, checks and runs it. Its JSON form (snake_case) is the
// policy input's input.manifest and is part of Runway's contract.
type Manifest struct {
	Name          string        `json:"name"`
	Owner         string        `json:"owner"`
	Template      string        `json:"template,omitempty"`
	Description   string        `json:"description,omitempty"`
	Risk          RiskLevel     `json:"risk"`
	Audience      Audience      `json:"audience"`
	ExpectedUsers int           `json:"expected_users"`
	Data          []DataClass   `json:"data"`
	Integrations  []Integration `json:"integrations"`
	Flags         ManifestFlags `json:"flags"`
	Budget        Budget        `json:"budget"`
	Run           RunSpec       `json:"run"`
}

// Integration is one outbound dependency of an app. Egress to any host not
// declared here is denied.
type Integration struct {
	Name           string `json:"name"`
	Host           string `json:"host"`
	RequiresSecret bool   `json:"requires_secret"`
	// Secret is the NAME of a value in the platform's secret store, never the
	// value itself.
	Secret string `json:"secret,omitempty"`
}

// ManifestFlags are the review markers an app's owner sets.
type ManifestFlags struct {
	SecurityReview bool `json:"security_review"`
}

// Budget is the app's spending cap.
type Budget struct {
	MonthlyUSD float64 `json:"monthly_usd"`
}

// RunSpec says how the platform builds, checks and runs the app. Every
// command runs with sh -c in the app's folder; an empty command is skipped.
type RunSpec struct {
	Build  string `json:"build,omitempty"`
	Lint   string `json:"lint,omitempty"`
	Test   string `json:"test,omitempty"`
	Start  string `json:"start,omitempty"`
	Health string `json:"health,omitempty"`
}

// RiskLevel is the risk an owner declares. The platform may raise it, never
// lower it.
type RiskLevel string

// Risk levels.
const (
	RiskLow    RiskLevel = "low"
	RiskMedium RiskLevel = "medium"
	RiskHigh   RiskLevel = "high"
)

// RiskLevels lists the valid risk levels, lowest first.
var RiskLevels = []RiskLevel{RiskLow, RiskMedium, RiskHigh}

// Audience is who uses an app.
type Audience string

// Audiences.
const (
	AudiencePersonal Audience = "personal"
	AudienceTeam     Audience = "team"
	AudienceOrg      Audience = "org"
	AudienceExternal Audience = "external"
)

// Audiences lists the valid audiences, narrowest first.
var Audiences = []Audience{AudiencePersonal, AudienceTeam, AudienceOrg, AudienceExternal}

// DataClass is a kind of data an app handles.
type DataClass string

// Data classes.
const (
	DataInternal    DataClass = "internal"
	DataPII         DataClass = "pii"
	DataFinancial   DataClass = "financial"
	DataHealth      DataClass = "health"
	DataCredentials DataClass = "credentials"
)

// DataClasses lists the valid data classes.
var DataClasses = []DataClass{DataInternal, DataPII, DataFinancial, DataHealth, DataCredentials}

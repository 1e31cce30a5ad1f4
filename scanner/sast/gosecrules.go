package sast

import (
	"slices"
	"strings"

	"github.com/runwayhq/runway"
	"github.com/securego/gosec/v2/issue"
)

// goRule is the plain-language side of a gosec rule.
type goRule struct {
	title    string
	fixText  string
	severity runway.Severity // as gosec usually reports it, for Rules()
	// secret marks rules whose code holds a secret: the ID hashes the code
	// with its strings removed.
	secret bool
}

// fix returns the rule's fix, or an honest generic one.
func (r goRule) fix(id string) string {
	if r.fixText != "" {
		return r.fixText
	}
	return "Read gosec's explanation of rule " + id + " (gosec's documentation lists every rule) and change the code as it suggests. " +
		"If the code is safe as it is, add the comment `// runway:allow go/" + id + " -- why it is safe` on the line above."
}

const (
	fixGoSQL = "Use placeholders and pass the values separately: db.Query(\"SELECT * FROM items WHERE id = $1\", id) " +
		"(? for MySQL and SQLite). Never build SQL with fmt.Sprintf or +."
	fixGoCommand = "Run a fixed program with exec.Command(\"name\", arg1, arg2), check each argument against a list of " +
		"allowed values, and never pass request data to \"sh -c\"."
	fixGoHash = "Use SHA-256 (crypto/sha256) for checksums, and bcrypt, scrypt or Argon2 " +
		"(golang.org/x/crypto) for passwords. MD5 and SHA-1 are broken."
	fixGoPerms = "Create folders with 0o750 and files with 0o600 (0o640 if a group must read them), so other " +
		"users on the machine cannot read or change them."
	fixGoTimeout = "Start the server with an http.Server that sets ReadHeaderTimeout (for example " +
		"10 * time.Second), ReadTimeout and WriteTimeout, instead of http.ListenAndServe, so slow clients " +
		"cannot tie it up."
	fixGoPath = "Keep file access inside a known folder: open files through os.Root (os.OpenRoot), or clean the " +
		"path with filepath.Clean and refuse it when filepath.Rel shows it leaves the folder."
)

// goRules maps the gosec rules people meet most to plain words. Others get
// goRule{}: a generic but honest text.
var goRuleTable = map[string]goRule{
	"G101": {"A password or key is written in the code", "Move the value to the platform's secret store, declare its name in runway.yaml, read it with os.Getenv when the app starts, and replace the old value: it stays in the history of the code.", runway.SeverityHigh, true},
	"G104": {"An error is ignored", "Check the error the call returns (if err != nil { ... }) and log it or answer with an error, so that failures do not go unnoticed.", runway.SeverityLow, false},
	"G106": {"SSH host keys are not checked", "Check the server's key with ssh.FixedHostKey or golang.org/x/crypto/ssh/knownhosts instead of ssh.InsecureIgnoreHostKey().", runway.SeverityMedium, false},
	"G107": {"A web request goes to an address built from a variable", "Check the address against a list of allowed hosts before the app calls it, so nobody can make the app reach internal services.", runway.SeverityMedium, false},
	"G108": {"Profiling pages are open to everyone", "Remove the import of net/http/pprof, or serve it on a separate port that only the platform can reach.", runway.SeverityHigh, false},
	"G110": {"Unpacking data could exhaust the memory", "Copy decompressed data with io.CopyN and a size limit, so a small upload cannot expand into gigabytes.", runway.SeverityMedium, false},
	"G112": {"The server has no time limit for reading requests", fixGoTimeout, runway.SeverityMedium, false},
	"G114": {"The server has no time limits", fixGoTimeout, runway.SeverityMedium, false},
	"G115": {"A number may overflow when it is converted", "Check that the value fits before converting it to a smaller integer type.", runway.SeverityHigh, false},
	"G117": {"A secret can leak when data is turned into JSON", "Tag the secret field with json:\"-\" or keep the secret out of the data the app sends.", runway.SeverityMedium, true},
	"G120": {"Form uploads have no size limit", "Wrap the body with http.MaxBytesReader before ParseForm or ParseMultipartForm, so one request cannot fill the memory.", runway.SeverityMedium, false},
	"G124": {"A cookie is sent without its safety settings", "Set Secure: true, HttpOnly: true and SameSite: http.SameSiteLaxMode (or Strict) on the cookie.", runway.SeverityMedium, false},
	"G201": {"Database query is built from text that can change", fixGoSQL, runway.SeverityMedium, false},
	"G202": {"Database query is built from text that can change", fixGoSQL, runway.SeverityMedium, false},
	"G203": {"HTML is marked safe without being escaped", "Pass the value to html/template as a plain string, which escapes it; do not convert data that may come from users to template.HTML.", runway.SeverityMedium, false},
	"G204": {"A command is run with a program or arguments from a variable", fixGoCommand, runway.SeverityMedium, false},
	"G301": {"A folder is created with loose permissions", fixGoPerms, runway.SeverityMedium, false},
	"G302": {"A file is given loose permissions", fixGoPerms, runway.SeverityMedium, false},
	"G303": {"A temporary file has a predictable name", "Create temporary files with os.CreateTemp, which picks an unpredictable name.", runway.SeverityMedium, false},
	"G304": {"A file is opened with a path from a variable", fixGoPath, runway.SeverityMedium, false},
	"G305": {"Unpacking an archive can write outside its folder", "Clean each entry's name and refuse entries whose path leaves the destination folder.", runway.SeverityMedium, false},
	"G306": {"A file is written with loose permissions", fixGoPerms, runway.SeverityMedium, false},
	"G307": {"A file is created with loose permissions", fixGoPerms, runway.SeverityMedium, false},
	"G401": {"A weak hash (MD5 or SHA-1) is used", fixGoHash, runway.SeverityMedium, false},
	"G402": {"Certificate checks are turned off, or TLS is too old", "Remove InsecureSkipVerify: true and set MinVersion: tls.VersionTLS12 or newer. If the service uses a private certificate authority, add its certificate to RootCAs instead.", runway.SeverityHigh, false},
	"G403": {"An RSA key is too short", "Generate RSA keys of at least 2048 bits, or use Ed25519.", runway.SeverityMedium, false},
	"G404": {"Random numbers are predictable", "Use crypto/rand for anything that must not be guessed: tokens, passwords, reset links, IDs.", runway.SeverityHigh, false},
	"G405": {"Weak encryption (DES or RC4) is used", "Encrypt with AES-GCM (crypto/aes and cipher.NewGCM) or ChaCha20-Poly1305.", runway.SeverityMedium, false},
	"G406": {"A weak hash (MD4 or RIPEMD-160) is used", fixGoHash, runway.SeverityMedium, false},
	"G501": {"A weak hash (MD5) is imported", fixGoHash, runway.SeverityMedium, false},
	"G502": {"Weak encryption (DES) is imported", "Encrypt with AES-GCM (crypto/aes and cipher.NewGCM) instead.", runway.SeverityMedium, false},
	"G503": {"Weak encryption (RC4) is imported", "Encrypt with AES-GCM (crypto/aes and cipher.NewGCM) instead.", runway.SeverityMedium, false},
	"G505": {"A weak hash (SHA-1) is imported", fixGoHash, runway.SeverityMedium, false},
	"G701": {"Database query is built from user input", fixGoSQL, runway.SeverityHigh, false},
	"G702": {"User input can run commands on the server", fixGoCommand, runway.SeverityHigh, false},
	"G703": {"User input chooses which file is read or written", fixGoPath, runway.SeverityHigh, false},
	"G704": {"User input chooses which address the app calls", "Check the address against a list of allowed hosts before the app calls it, so nobody can make the app reach internal services.", runway.SeverityHigh, false},
	"G705": {"Page content is built from data that is not escaped", "Render pages with html/template, which escapes values, or escape them with html.EscapeString before writing them.", runway.SeverityHigh, false},
	"G706": {"User input is written to the logs unchanged", "Log request values as separate fields (slog.String(\"name\", v)) rather than inside the message, so nobody can forge log lines.", runway.SeverityMedium, false},
	"G708": {"User input is used as a template", "Keep templates in files that ship with the app and pass user input only as data to Execute.", runway.SeverityHigh, false},
	"G709": {"Data from users is turned back into objects unsafely", "Decode user data with encoding/json into a struct of the fields you expect.", runway.SeverityHigh, false},
	"G710": {"Visitors can be sent to any website", "Redirect only to addresses you know: check the value against a list of allowed paths, or accept only paths that start with a single /.", runway.SeverityMedium, false},
}

// goRuleInfo returns the plain words for a gosec rule.
func goRuleInfo(id string) goRule {
	if r, ok := goRuleTable[id]; ok {
		return r
	}
	return goRule{title: "gosec flags this Go code as risky"}
}

// goRules lists the Go rules with plain words, for Rules().
func goRules() []Rule {
	var out []Rule
	for id, r := range goRuleTable {
		cwe := 0
		if w := issue.GetCweByRule(id); w != nil {
			cwe = firstNumber(w.ID)
		}
		out = append(out, Rule{ID: "go/" + id, Languages: []string{langGo}, CWE: cwe, Severity: r.severity, Title: r.title, Fix: r.fix(id)})
	}
	slices.SortFunc(out, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	return out
}

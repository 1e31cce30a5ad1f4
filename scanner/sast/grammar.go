package sast

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"

	ts "github.com/tree-sitter/go-tree-sitter"
	tsjs "github.com/tree-sitter/tree-sitter-javascript/bindings/go"
	tspy "github.com/tree-sitter/tree-sitter-python/bindings/go"
	tsts "github.com/tree-sitter/tree-sitter-typescript/bindings/go"
)

// Languages the tree-sitter engine reads, and Go (read by gosec).
const (
	langJavaScript = "javascript"
	langTypeScript = "typescript"
	langTSX        = "tsx"
	langPython     = "python"
	langGo         = "go"
)

// languages are the ones rules.yaml may name.
var languages = []string{langJavaScript, langTypeScript, langTSX, langPython}

// extensions maps a file extension to its language.
var extensions = map[string]string{
	".js": langJavaScript, ".mjs": langJavaScript, ".cjs": langJavaScript, ".jsx": langJavaScript,
	".ts": langTypeScript, ".mts": langTypeScript, ".cts": langTypeScript,
	".tsx": langTSX,
	".py":  langPython,
	".go":  langGo,
}

// languageOf returns the language of a file by its name, or "".
func languageOf(name string) string {
	if strings.HasSuffix(name, ".d.ts") {
		return "" // type declarations hold no code that runs
	}
	return extensions[strings.ToLower(path.Ext(name))]
}

// family returns the language whose sources and import rules apply:
// TypeScript and TSX read like JavaScript.
func family(lang string) string {
	if lang == langTypeScript || lang == langTSX {
		return langJavaScript
	}
	return lang
}

// grammar is a language with its rules compiled into one query, so one walk
// over a file's tree finds every rule's candidates. tree-sitter queries are
// immutable once built and safe to share between goroutines; cursors are not.
type grammar struct {
	name  string
	lang  *ts.Language
	query *ts.Query
	// prelude counts the first patterns of query, which find imports and
	// comments rather than rule candidates.
	prelude uint
	// groups lists, for each pattern of query, the rule patterns that share
	// its text: a match is checked against each of them.
	groups [][]*pattern
	// capture indexes by name.
	sink, arg, callee, comment uint
	names                      []string
}

func tsLanguage(name string) *ts.Language {
	switch name {
	case langJavaScript:
		return ts.NewLanguage(tsjs.Language())
	case langTypeScript:
		return ts.NewLanguage(tsts.LanguageTypescript())
	case langTSX:
		return ts.NewLanguage(tsts.LanguageTSX())
	case langPython:
		return ts.NewLanguage(tspy.Language())
	}
	return nil
}

// grammarOnce builds each language's grammar once per process, when a file
// of that language is first read (compiling the queries costs tens of
// milliseconds); the queries then live as long as the process.
var grammarOnce = func() map[string]func() (*grammar, error) {
	out := map[string]func() (*grammar, error){}
	for _, name := range languages {
		out[name] = sync.OnceValues(func() (*grammar, error) {
			f, err := builtin()
			if err != nil {
				return nil, err
			}
			return newGrammar(name, f)
		})
	}
	return out
}()

// grammarFor returns the grammar of a language.
func grammarFor(lang string) (*grammar, error) {
	get, ok := grammarOnce[lang]
	if !ok {
		return nil, fmt.Errorf("no grammar for %s", lang)
	}
	return get()
}

// newGrammar compiles every pattern of f that applies to language name.
func newGrammar(name string, f *rulesFile) (*grammar, error) {
	g := &grammar{name: name, lang: tsLanguage(name)}
	var texts []string
	var members [][]*pattern
	index := map[string]int{}
	for i := range f.Rules {
		r := &f.Rules[i]
		for order, spec := range r.Patterns {
			if !slices.Contains(spec.Languages, name) {
				continue
			}
			p, err := compilePattern(r, order, spec)
			if err != nil {
				return nil, err
			}
			text := strings.TrimSpace(spec.Query)
			j, ok := index[text]
			if !ok {
				j = len(texts)
				index[text] = j
				texts = append(texts, text)
				members = append(members, nil)
			}
			members[j] = append(members[j], p)
		}
	}
	prelude := importQueries[family(name)] + "\n(comment) @comment\n"
	if err := g.compile(prelude, texts, members); err != nil {
		return nil, err
	}
	return g, nil
}

// compile joins the prelude (imports and comments) and the distinct rule
// query texts into one query, so one walk over a tree finds them all, and
// maps each rule pattern back to the rule patterns that share its text.
func (g *grammar) compile(prelude string, texts []string, members [][]*pattern) error {
	var b strings.Builder
	b.WriteString(prelude)
	preludeEnd := b.Len()
	starts := make([]int, len(texts))
	for i, t := range texts {
		starts[i] = b.Len()
		b.WriteString(t)
		b.WriteString("\n")
	}
	q, qerr := ts.NewQuery(g.lang, b.String())
	if qerr != nil {
		if err := checkQuery(g.lang, prelude); err != nil {
			return fmt.Errorf("import query (%s): %w", g.name, err)
		}
		for i, t := range texts {
			if err := checkQuery(g.lang, t); err != nil {
				return fmt.Errorf("rule %s (%s): %w", members[i][0].rule.ID, g.name, err)
			}
		}
		return fmt.Errorf("rules query (%s): %s", g.name, qerr.Error())
	}
	g.query = q
	g.groups = make([][]*pattern, q.PatternCount())
	for i := range g.groups {
		at := int(q.StartByteForPattern(uint(i)))
		if at < preludeEnd {
			g.prelude++
			continue
		}
		j := 0
		for j+1 < len(starts) && starts[j+1] <= at {
			j++
		}
		g.groups[i] = members[j]
	}
	g.names = q.CaptureNames()
	g.sink, _ = q.CaptureIndexForName("sink")
	g.arg = g.captureIndex("arg")
	g.callee = g.captureIndex("callee")
	g.comment = g.captureIndex("comment")
	return nil
}

// noCapture stands for a capture name the query does not use.
const noCapture = ^uint(0)

func (g *grammar) captureIndex(name string) uint {
	if i, ok := g.query.CaptureIndexForName(name); ok {
		return i
	}
	return noCapture
}

// checkQuery compiles one rule's query alone, so that a mistake names its
// rule rather than failing the combined query.
func checkQuery(lang *ts.Language, text string) error {
	q, qerr := ts.NewQuery(lang, text)
	if qerr != nil {
		return fmt.Errorf("query: %s", qerr.Error())
	}
	q.Close()
	return nil
}

func (g *grammar) close() {
	if g.query != nil {
		g.query.Close()
	}
}

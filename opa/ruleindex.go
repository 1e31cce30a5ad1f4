package opa

import (
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// ruleIndex knows where every rule of every module is, so that a deny or
// warn element, a compile error or an evaluation error can name the policy
// file, the line and the rule behind it.
type ruleIndex struct {
	byFile map[string][]ruleLoc
	// byPackage maps "<package>\x00<rule name>" to the definitions of that
	// rule, in file and line order.
	byPackage map[string][]ruleLoc
	// byID maps "<package>\x00<key>\x00<id>" to the rule whose body or
	// head builds an object with "rule": "<id>" (key rule), or "role":
	// "<id>" (key role).
	byID map[string]ruleLoc
}

// ruleLoc is one definition of a rule.
type ruleLoc struct {
	pkg, name  string
	file       string
	line, last int
	// strings are the string constants the rule mentions, to match a
	// plain-string message to the body that produced it.
	strings map[string]bool
}

func indexRules(modules map[string]*ast.Module) *ruleIndex {
	ix := &ruleIndex{byFile: map[string][]ruleLoc{}, byPackage: map[string][]ruleLoc{}, byID: map[string]ruleLoc{}}
	for file, m := range modules {
		pkg := pkgName(m.Package.Path)
		for _, r := range m.Rules {
			ix.add(pkg, file, r)
		}
	}
	for _, locs := range ix.byPackage {
		sort.Slice(locs, func(i, j int) bool {
			if locs[i].file != locs[j].file {
				return locs[i].file < locs[j].file
			}
			return locs[i].line < locs[j].line
		})
	}
	return ix
}

func (ix *ruleIndex) add(pkg, file string, r *ast.Rule) {
	loc := r.Loc()
	if loc == nil {
		return
	}
	l := ruleLoc{pkg: pkg, name: ruleName(r), file: file, line: loc.Row, last: loc.Row + strings.Count(string(loc.Text), "\n"), strings: map[string]bool{}}
	ast.WalkTerms(r, func(t *ast.Term) bool {
		switch v := t.Value.(type) {
		case ast.String:
			l.strings[string(v)] = true
		case ast.Object:
			for _, key := range []string{"rule", "role"} {
				if rt := v.Get(ast.StringTerm(key)); rt != nil {
					if id, ok := rt.Value.(ast.String); ok {
						if _, seen := ix.byID[pkg+"\x00"+key+"\x00"+string(id)]; !seen {
							ix.byID[pkg+"\x00"+key+"\x00"+string(id)] = l
						}
					}
				}
			}
		}
		return false
	})
	ix.byFile[file] = append(ix.byFile[file], l)
	key := pkg + "\x00" + l.name
	ix.byPackage[key] = append(ix.byPackage[key], l)
}

// at names the rule ("<package>.<rule>") that spans a line of a file, or
// returns "".
func (ix *ruleIndex) at(file string, line int) string {
	if ix == nil {
		return ""
	}
	for _, l := range ix.byFile[file] {
		if line >= l.line && line <= l.last {
			return l.pkg + "." + l.name
		}
	}
	return ""
}

// locate finds the definition behind an element of an output of a
// package: the rule that builds an object with the element's id (its rule,
// or for approvals its role), else the definition of the output that
// mentions its message, else its first definition.
func (ix *ruleIndex) locate(pkg, output, id, msg string) (file string, line int) {
	key := "rule"
	if output == "approvals" {
		key = "role"
	}
	if id != "" {
		if l, ok := ix.byID[pkg+"\x00"+key+"\x00"+id]; ok {
			return l.file, l.line
		}
	}
	defs := ix.byPackage[pkg+"\x00"+output]
	for _, l := range defs {
		if l.strings[msg] {
			return l.file, l.line
		}
	}
	if len(defs) > 0 {
		return defs[0].file, defs[0].line
	}
	return "", 0
}

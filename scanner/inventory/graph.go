package inventory

import (
	"slices"

	"github.com/runwayhq/runway"
)

// graph is what one lockfile says: the packages it pins, which of them the
// project names itself (its roots), and which package requires which. Every
// parser fills one; components turns it into runway.Components, computing
// what the file leaves implicit.
type graph struct {
	ecosystem string
	source    string
	nodes     []*node
	byPURL    map[string]*node
	// devFlags is true when the lockfile marks dev packages itself (npm,
	// pnpm v5/v6, poetry with groups); otherwise dev is computed from the
	// roots: a package only dev roots reach is dev.
	devFlags bool
}

// node is one package at one version. A lockfile may list it several times
// (npm's nested node_modules copies); they merge into one node.
type node struct {
	name, version, purl string
	licenses            []string
	deps                []*node
	// dev is true only when every lockfile entry merged into this node
	// was a dev entry.
	dev bool
	// root is true for a dependency the project names itself; rootDev is
	// true when it names it only as a dev dependency.
	root, rootDev bool
}

func newGraph(ecosystem, source string) *graph {
	return &graph{ecosystem: ecosystem, source: source, byPURL: map[string]*node{}}
}

// add returns the node of name at version, creating it on first use. The
// entry's own dev flag counts only when the graph has devFlags.
func (g *graph) add(name, version string, dev bool) *node {
	p := purl(g.ecosystem, name, version)
	n, ok := g.byPURL[p]
	if !ok {
		n = &node{name: name, version: version, purl: p, dev: true}
		g.byPURL[p] = n
		g.nodes = append(g.nodes, n)
	}
	n.dev = n.dev && dev
	return n
}

// find returns the node of name at version, or nil.
func (g *graph) find(name, version string) *node {
	return g.byPURL[purl(g.ecosystem, name, version)]
}

// link records that from requires to.
func (g *graph) link(from, to *node) {
	if from == nil || to == nil || from == to || slices.Contains(from.deps, to) {
		return
	}
	from.deps = append(from.deps, to)
}

// root marks n as named by the project itself; dev says whether as a dev
// dependency only.
func (g *graph) root(n *node, dev bool) {
	if n == nil {
		return
	}
	if !n.root {
		n.root, n.rootDev = true, dev
		return
	}
	n.rootDev = n.rootDev && dev
}

// orphanRoots marks as production roots the packages nothing else in the
// lockfile requires: the best guess at what the project names itself when
// the file that says so (package.json) is missing.
func (g *graph) orphanRoots() {
	required := map[*node]bool{}
	for _, n := range g.nodes {
		for _, d := range n.deps {
			required[d] = true
		}
	}
	for _, n := range g.nodes {
		if !required[n] {
			g.root(n, false)
		}
	}
}

// license adds licences to n, keeping the first occurrence of each.
func (n *node) license(ls ...string) {
	for _, l := range ls {
		if l != "" && !slices.Contains(n.licenses, l) {
			n.licenses = append(n.licenses, l)
		}
	}
}

// components returns the graph as runway.Components, in the order of the
// nodes. Dev comes from the lockfile's flags when it has them, else from
// reachability; IntroducedBy names the roots that reach each transitive
// package.
func (g *graph) components() []runway.Component {
	prod := g.reachProd()
	introduced := g.introducedBy()
	out := make([]runway.Component, 0, len(g.nodes))
	for _, n := range g.nodes {
		c := runway.Component{
			Ecosystem:    g.ecosystem,
			Name:         n.name,
			Version:      n.version,
			PURL:         n.purl,
			Licenses:     slices.Clone(n.licenses),
			Direct:       n.root,
			Source:       g.source,
			IntroducedBy: introduced[n],
		}
		if c.Licenses == nil {
			c.Licenses = []string{}
		}
		slices.Sort(c.Licenses)
		switch {
		case g.devFlags:
			c.Dev = n.dev
		case n.root:
			c.Dev = n.rootDev
		default:
			// A package no root reaches (no roots are known, or a stray
			// entry) counts as production: when in doubt, the safer answer.
			c.Dev = !prod[n] && len(introduced[n]) > 0
		}
		for _, d := range n.deps {
			c.DependsOn = append(c.DependsOn, d.purl)
		}
		slices.Sort(c.DependsOn)
		c.DependsOn = slices.Compact(c.DependsOn)
		out = append(out, c)
	}
	return out
}

// reachProd returns the nodes reachable from the production roots.
func (g *graph) reachProd() map[*node]bool {
	seen := map[*node]bool{}
	var stack []*node
	for _, n := range g.nodes {
		if n.root && !n.rootDev {
			seen[n] = true
			stack = append(stack, n)
		}
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, d := range n.deps {
			if !seen[d] {
				seen[d] = true
				stack = append(stack, d)
			}
		}
	}
	return seen
}

// introducedBy returns, for every transitive node, the sorted names of the
// roots whose dependencies reach it.
func (g *graph) introducedBy() map[*node][]string {
	out := map[*node][]string{}
	mark := map[*node]int{}
	for i, r := range g.nodes {
		if !r.root {
			continue
		}
		stack := []*node{r}
		mark[r] = i + 1
		for len(stack) > 0 {
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, d := range n.deps {
				if mark[d] == i+1 {
					continue
				}
				mark[d] = i + 1
				stack = append(stack, d)
				if !d.root {
					out[d] = append(out[d], r.name)
				}
			}
		}
	}
	for n, names := range out {
		slices.Sort(names)
		out[n] = slices.Compact(names)
	}
	return out
}

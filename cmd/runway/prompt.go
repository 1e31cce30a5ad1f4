package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// prompter asks questions on a terminal, one line per answer.
type prompter struct {
	in  *bufio.Reader
	out io.Writer
}

// choice is one possible answer with a sentence explaining it.
type choice struct {
	value, explain string
}

// ask returns the answer, or def when the answer is empty.
func (p *prompter) ask(question, def string) (string, error) {
	if def != "" {
		fmt.Fprintf(p.out, "%s [%s]: ", question, def)
	} else {
		fmt.Fprintf(p.out, "%s: ", question)
	}
	line, err := p.in.ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", fmt.Errorf("read answer: %w", err)
	}
	if line = strings.TrimSpace(line); line == "" {
		return def, nil
	}
	return line, nil
}

// choose asks for one of the choices, explaining each, until it gets one.
func (p *prompter) choose(question string, choices []choice, def string) (string, error) {
	p.explain(choices)
	for {
		ans, err := p.ask(question, def)
		if err != nil {
			return "", err
		}
		for _, c := range choices {
			if strings.EqualFold(ans, c.value) {
				return c.value, nil
			}
		}
		fmt.Fprintf(p.out, "Please answer one of: %s.\n", values(choices))
	}
}

// chooseMany asks for any number of the choices, comma-separated, or
// "none".
func (p *prompter) chooseMany(question string, choices []choice) ([]string, error) {
	p.explain(choices)
	for {
		ans, err := p.ask(question+" (comma-separated, or none)", "none")
		if err != nil {
			return nil, err
		}
		picked, bad := pick(ans, choices)
		if bad == "" {
			return picked, nil
		}
		fmt.Fprintf(p.out, "%q is not one of: %s.\n", bad, values(choices))
	}
}

func (p *prompter) explain(choices []choice) {
	for _, c := range choices {
		fmt.Fprintf(p.out, "  %-12s %s\n", c.value, c.explain)
	}
}

// pick parses "a, b" against choices; bad is the first unknown word.
func pick(ans string, choices []choice) (picked []string, bad string) {
	if strings.EqualFold(strings.TrimSpace(ans), "none") {
		return nil, ""
	}
	for _, word := range strings.Split(ans, ",") {
		word = strings.TrimSpace(word)
		if word == "" {
			continue
		}
		found := false
		for _, c := range choices {
			if strings.EqualFold(word, c.value) {
				picked, found = append(picked, c.value), true
			}
		}
		if !found {
			return nil, word
		}
	}
	return picked, ""
}

func values(choices []choice) string {
	vs := make([]string, len(choices))
	for i, c := range choices {
		vs[i] = c.value
	}
	return strings.Join(vs, ", ")
}

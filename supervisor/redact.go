package supervisor

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strings"
)

// minEncoded is the shortest secret whose encoded forms are redacted too.
// The raw value is always redacted; the fragments of a shorter value's
// base64 forms are too short to tell apart from ordinary text.
const minEncoded = 8

// Redactor replaces secret values in text with "[redacted NAME]". Besides
// the value itself it knows the forms a value usually takes in a log: its
// base64 encodings (standard and URL alphabets, padded or not, and the
// stable middle of the encoding when the value sits at any offset inside a
// longer base64 blob, such as an HTTP Basic credential), its URL escapes and
// its JSON string escape. When patterns overlap, the leftmost, then the
// longest, wins. A Redactor is immutable and safe for concurrent use.
type Redactor struct {
	pats  []pattern // longest first
	first [256]bool // the first bytes of the patterns
}

type pattern struct {
	text []byte
	repl []byte
}

// NewRedactor returns a Redactor for the named secret values. Empty values
// are ignored.
func NewRedactor(secrets map[string]string) *Redactor {
	r := &Redactor{}
	names := make([]string, 0, len(secrets))
	for name := range secrets {
		names = append(names, name)
	}
	slices.Sort(names)
	seen := map[string]bool{}
	for _, name := range names {
		repl := []byte("[redacted " + name + "]")
		for _, form := range secretForms(secrets[name]) {
			if form == "" || seen[form] {
				continue
			}
			seen[form] = true
			r.pats = append(r.pats, pattern{text: []byte(form), repl: repl})
			r.first[form[0]] = true
		}
	}
	slices.SortStableFunc(r.pats, func(a, b pattern) int { return len(b.text) - len(a.text) })
	return r
}

// secretForms lists the strings that reveal value: the value itself
// and, for it and its whitespace-trimmed version, its common encodings.
func secretForms(value string) []string {
	var forms []string
	variants := []string{value}
	if t := strings.TrimSpace(value); t != value && t != "" {
		variants = append(variants, t)
	}
	for _, v := range variants {
		forms = append(forms, v, url.QueryEscape(v), url.PathEscape(v))
		if j, err := json.Marshal(v); err == nil {
			forms = append(forms, string(j[1:len(j)-1]))
		}
		if len(v) >= 3 {
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
				forms = append(forms, enc.EncodeToString([]byte(v)))
			}
		}
		if len(v) >= minEncoded {
			for offset := range 3 {
				inner := base64Inner(v, offset)
				forms = append(forms, inner, strings.NewReplacer("+", "-", "/", "_").Replace(inner))
			}
		}
	}
	return forms
}

// base64Inner returns the characters of the base64 encoding of value that
// do not depend on what surrounds it, when value starts offset bytes into
// a longer encoded blob.
func base64Inner(value string, offset int) string {
	data := append(make([]byte, offset), value...)
	enc := base64.RawStdEncoding.EncodeToString(data)
	skip := (8*offset + 5) / 6 // characters holding bits of the bytes before
	end := 8 * len(data) / 6   // characters made only of the value's bits
	return enc[skip:end]
}

// Redact returns s with every secret replaced.
func (r *Redactor) Redact(s string) string {
	if len(r.pats) == 0 {
		return s
	}
	var out bytes.Buffer
	rest := r.process(&out, []byte(s), true)
	out.Write(rest)
	return out.String()
}

// Writer returns a writer that redacts what is written to it before
// passing it to w. A secret split across several Write calls is still
// redacted: the writer holds back the end of a write while it could be the
// beginning of a secret. Close (or Flush) writes what is held back. The
// writer is not safe for concurrent use.
func (r *Redactor) Writer(w io.Writer) *RedactingWriter {
	return &RedactingWriter{r: r, w: w}
}

// RedactingWriter is the writer Redactor.Writer returns.
type RedactingWriter struct {
	r     *Redactor
	w     io.Writer
	carry []byte
	out   bytes.Buffer
}

// Write redacts p and writes what is certain to the underlying writer. It
// reports len(p) written unless the underlying writer fails.
func (rw *RedactingWriter) Write(p []byte) (int, error) {
	if len(rw.r.pats) == 0 {
		return rw.w.Write(p)
	}
	buf := append(rw.carry, p...)
	rw.out.Reset()
	rest := rw.r.process(&rw.out, buf, false)
	rw.carry = append([]byte(nil), rest...)
	if rw.out.Len() > 0 {
		if _, err := rw.w.Write(rw.out.Bytes()); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes what is held back, redacting only complete secrets. Call it
// when no more output is coming.
func (rw *RedactingWriter) Flush() error {
	if len(rw.carry) == 0 {
		return nil
	}
	rw.out.Reset()
	rest := rw.r.process(&rw.out, rw.carry, true)
	rw.out.Write(rest)
	rw.carry = nil
	_, err := rw.w.Write(rw.out.Bytes())
	return err
}

// Close flushes the writer. It does not close the underlying writer.
func (rw *RedactingWriter) Close() error { return rw.Flush() }

// process writes buf to out with the complete secrets replaced and returns
// the tail it must hold back because more input could turn it into a
// secret. At the end of the input (final) nothing is held back.
func (r *Redactor) process(out *bytes.Buffer, buf []byte, final bool) []byte {
	var holds []int
	if !final {
		holds = r.holdPositions(buf)
	}
	next := make([]int, len(r.pats)) // where each pattern next occurs, -2 = unknown
	for i := range next {
		next[i] = -2
	}
	pos := 0
	for {
		hold := len(buf)
		for _, h := range holds {
			if h >= pos {
				hold = h
				break
			}
		}
		start, pi := r.nextMatch(buf, pos, next)
		if pi < 0 || start >= hold {
			out.Write(buf[pos:hold])
			return buf[hold:]
		}
		out.Write(buf[pos:start])
		out.Write(r.pats[pi].repl)
		pos = start + len(r.pats[pi].text)
	}
}

// nextMatch returns the start and pattern index of the leftmost, then
// longest, match at or after pos; the index is -1 when there is none. next
// caches each pattern's next occurrence (-1 = none left).
func (r *Redactor) nextMatch(buf []byte, pos int, next []int) (int, int) {
	best, bi := len(buf), -1
	for i, p := range r.pats {
		if next[i] == -1 {
			continue
		}
		if next[i] < pos {
			j := bytes.Index(buf[pos:], p.text)
			if j < 0 {
				next[i] = -1
				continue
			}
			next[i] = pos + j
		}
		// Patterns are sorted longest first, so at an equal start the
		// first one found is the longest.
		if next[i] < best {
			best, bi = next[i], i
		}
	}
	return best, bi
}

// holdPositions lists, in order, the positions t near the end of buf where
// buf[t:] is a proper prefix of some pattern: a secret may start there.
func (r *Redactor) holdPositions(buf []byte) []int {
	longest := len(r.pats[0].text)
	var holds []int
	for t := max(0, len(buf)-longest+1); t < len(buf); t++ {
		if !r.first[buf[t]] {
			continue
		}
		tail := buf[t:]
		for _, p := range r.pats {
			if len(p.text) > len(tail) && bytes.HasPrefix(p.text, tail) {
				holds = append(holds, t)
				break
			}
		}
	}
	return holds
}

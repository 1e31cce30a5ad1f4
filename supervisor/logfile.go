package supervisor

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// logFile is the captured log of one process or build. Every line starts
// with a UTC timestamp and its source: "app" for the app's output (stdout
// and stderr together, already redacted) or "runway" for what the
// supervisor did. When the file passes max bytes it is renamed to
// NAME.1 (replacing the older one) and a new file is started.
type logFile struct {
	mu        sync.Mutex
	path      string
	f         *os.File
	size      int64
	max       int64
	now       func() time.Time
	lineOwner *stamper // the source whose line is not finished yet
}

func openLog(path string, max int64, now func() time.Time) (*logFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	l := &logFile{path: path, max: max, now: now}
	if err := l.openFile(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *logFile) openFile() error {
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	l.f, l.size = f, st.Size()
	return nil
}

func (l *logFile) prefix(source string) []byte {
	return fmt.Appendf(nil, "%s %-6s | ", l.now().UTC().Format("2006-01-02T15:04:05.000Z"), source)
}

// event writes one line from the supervisor.
func (l *logFile) event(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b []byte
	if l.lineOwner != nil {
		b = append(b, '\n')
		l.lineOwner = nil
	}
	b = append(b, l.prefix("runway")...)
	b = fmt.Appendf(b, format, args...)
	l.write(append(b, '\n'))
}

// stream returns a writer that stamps each line of source's output.
func (l *logFile) stream(source string) io.Writer {
	return &stamper{l: l, source: source}
}

type stamper struct {
	l      *logFile
	source string
}

func (s *stamper) Write(p []byte) (int, error) {
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	var b []byte
	start := s.l.lineOwner != s // this source has no line open
	if start && s.l.lineOwner != nil {
		b = append(b, '\n') // another source left a line open
	}
	for rest := p; len(rest) > 0; {
		if start {
			b = append(b, s.l.prefix(s.source)...)
			start = false
		}
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			b = append(b, rest...)
			break
		}
		b = append(b, rest[:i+1]...)
		rest = rest[i+1:]
		start = true
	}
	if err := s.l.write(b); err != nil {
		return 0, err
	}
	s.l.lineOwner = nil
	if !start {
		s.l.lineOwner = s
	}
	return len(p), nil
}

// write appends b, rotating the file first when it is full. The caller
// holds l.mu.
func (l *logFile) write(b []byte) error {
	if l.f == nil {
		return os.ErrClosed
	}
	if l.max > 0 && l.size > 0 && l.size+int64(len(b)) > l.max {
		l.f.Close()
		l.f = nil
		if err := os.Rename(l.path, l.path+".1"); err != nil {
			return err
		}
		if err := l.openFile(); err != nil {
			return err
		}
	}
	n, err := l.f.Write(b)
	l.size += int64(n)
	return err
}

func (l *logFile) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	if l.lineOwner != nil {
		l.f.Write([]byte{'\n'})
		l.lineOwner = nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// readLog returns the log at path, its rotated part first.
func readLog(path string) (io.ReadCloser, error) {
	var files []*os.File
	var readers []io.Reader
	for _, p := range []string{path + ".1", path} {
		f, err := os.Open(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			closeAll(files)
			return nil, err
		}
		files = append(files, f)
		readers = append(readers, f)
	}
	if len(files) == 0 {
		return nil, os.ErrNotExist
	}
	return &multiReadCloser{Reader: io.MultiReader(readers...), files: files}, nil
}

type multiReadCloser struct {
	io.Reader
	files []*os.File
}

func (m *multiReadCloser) Close() error { return closeAll(m.files) }

func closeAll(files []*os.File) error {
	var errs []error
	for _, f := range files {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}

// tail returns the last n lines of the log at path.
func tail(path string, n int) string {
	r, err := readLog(path)
	if err != nil {
		return ""
	}
	defer r.Close()
	b, _ := io.ReadAll(r)
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte{'\n'})
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte{'\n'}))
}

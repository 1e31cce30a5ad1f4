package check

import (
	"os"
	"path/filepath"
	"sync"

	"github.com/runwayhq/runway"
)

// checkLog is the file a check's output is captured in. It is safe for
// concurrent writes (a command's stdout and stderr share it).
type checkLog struct {
	mu   sync.Mutex
	f    *os.File
	n    int64
	show string // the path shown in the report
}

func openLog(ws *runway.Workspace, name string) (*checkLog, error) {
	path := filepath.Join(ws.OutDir, "logs", name+".log")
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	show := path
	if rel, err := filepath.Rel(ws.Dir, path); err == nil && filepath.IsLocal(rel) {
		show = filepath.ToSlash(rel)
	}
	return &checkLog{f: f, show: show}, nil
}

func (l *checkLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.f.Write(p)
	l.n += int64(n)
	return n, err
}

// close closes the file and returns the path to show, or "" (removing the
// file) when the check printed nothing.
func (l *checkLog) close() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.f.Close()
	if l.n == 0 {
		os.Remove(l.f.Name())
		return ""
	}
	return l.show
}

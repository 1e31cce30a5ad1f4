package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/release"
	"github.com/runwayhq/runway/supervisor"
)

// maxLogLine is the longest log line the API returns; the rest of a
// longer line is cut.
const maxLogLine = 16 << 10

// appLogs returns the last lines of a version's log as the supervisor
// keeps it (secret values already redacted when written).
func (s *server) appLogs(ctx context.Context, app string, env runway.Environment, version string, lines int) (string, error) {
	r, err := s.sup.Logs(supervisor.Key{App: app, Environment: env, Version: version})
	if err != nil {
		return "", err
	}
	defer r.Close()
	return lastLines(r, lines)
}

// lastLines returns the last n lines of r, each cut at maxLogLine bytes,
// holding no more than n lines in memory.
func lastLines(r io.Reader, n int) (string, error) {
	if n < 1 {
		return "", nil
	}
	ring := make([]string, n)
	count := 0
	br := bufio.NewReaderSize(r, 64<<10)
	var line []byte
	cut := false
	for {
		chunk, err := br.ReadSlice('\n')
		room := maxLogLine - len(line)
		if len(chunk) > room {
			chunk, cut = chunk[:room], true
		}
		line = append(line, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if len(line) > 0 {
			s := string(line)
			if cut {
				s = strings.TrimSuffix(s, "\n") + " [the rest of this line is cut]\n"
			}
			ring[count%n] = s
			count++
			line, cut = line[:0], false
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
	}
	var b strings.Builder
	for i := max(0, count-n); i < count; i++ {
		b.WriteString(ring[i%n])
	}
	return b.String(), nil
}

// traffic is what the proxy measured of an environment's versions.
func (s *server) traffic(app string, env runway.Environment) []release.VersionTraffic {
	var out []release.VersionTraffic
	for _, st := range s.proxy.Stats() {
		if st.App != app || st.Env != string(env) {
			continue
		}
		out = append(out, release.VersionTraffic{Version: st.Version, Canary: st.Canary, Weight: st.Weight, Requests: st.Requests,
			Errors: st.Errors5xx + st.ProxyErrors, P95Millis: float64(st.Latency.Quantile(0.95).Microseconds()) / 1000})
	}
	return out
}

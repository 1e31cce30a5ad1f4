package osv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/runwayhq/runway"
)

// DefaultEcosystems are the ecosystems an update fetches when none are
// named and the database is empty: those Runway's templates use.
var DefaultEcosystems = []string{"npm", "Go", "PyPI", "Maven"}

// DefaultMaxDownload bounds one downloaded archive (osv.dev's npm archive,
// the largest of these, is a few hundred megabytes).
const DefaultMaxDownload = 2 << 30

// Updater refreshes the database from a mirror of osv.dev's archives: it
// fetches MIRROR/ECOSYSTEM/all.zip for each ecosystem and replaces that
// ecosystem's advisories with the archive's. It sends the validators of
// the last download (ETag, Last-Modified), so an unchanged archive costs
// one small request.
type Updater struct {
	// Dir is the database folder.
	Dir string
	// Mirror is the base URL, http or https.
	Mirror string
	// Client makes the requests; nil means a client with connect, header
	// and overall timeouts.
	Client *http.Client
	// MaxDownload bounds one archive; 0 means DefaultMaxDownload.
	MaxDownload int64
	// Limits bound what an archive may hold; zero fields take
	// DefaultLimits.
	Limits Limits
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// UpdateResult is how one ecosystem's update went.
type UpdateResult struct {
	Ecosystem string `json:"ecosystem"`
	// Changed is false when the mirror said the archive is unchanged.
	Changed bool          `json:"changed"`
	Info    EcosystemInfo `json:"info"`
}

// Ecosystems returns the ecosystems an update fetches: those named, else
// those in the database, else DefaultEcosystems.
func (u *Updater) Ecosystems(named []string) []string {
	if len(named) > 0 {
		return named
	}
	if db, err := Open(u.Dir); err == nil {
		defer db.Close()
		var out []string
		for _, e := range db.Ecosystems() {
			out = append(out, e.Ecosystem)
		}
		return out
	}
	return DefaultEcosystems
}

// Update fetches and imports each ecosystem's archive in turn. An
// ecosystem that fails leaves its stored advisories as they were; the
// others still update. The error joins every failure.
func (u *Updater) Update(ctx context.Context, ecosystems []string) ([]UpdateResult, error) {
	base, err := parseMirror(u.Mirror)
	if err != nil {
		return nil, err
	}
	var results []UpdateResult
	var errs []error
	for _, eco := range ecosystems {
		res, err := u.updateOne(ctx, base, eco)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		results = append(results, res)
	}
	return results, errors.Join(errs...)
}

// parseMirror checks the mirror URL.
func parseMirror(mirror string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(mirror, "/"))
	if mirror == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, runway.Errorf(runway.EINVALID, "the vulnerability mirror %q is not an http or https URL: set RUNWAY_VULN_MIRROR or vuln.mirror in the config to the URL your platform team gives you", mirror)
	}
	return u, nil
}

func (u *Updater) updateOne(ctx context.Context, base *url.URL, eco string) (UpdateResult, error) {
	src := base.JoinPath(eco, "all.zip").String()
	prev, _ := u.stored(eco)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return UpdateResult{}, fmt.Errorf("update %s: %w", eco, err)
	}
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	resp, err := u.client().Do(req)
	if err != nil {
		return UpdateResult{}, &runway.Error{Code: runway.EUNAVAILABLE, Message: fmt.Sprintf("cannot download the %s advisories from %s; check the mirror and your network", eco, src), Err: err}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && prev.Ecosystem != "":
		info, err := u.touch(eco)
		return UpdateResult{Ecosystem: eco, Info: info}, err
	case resp.StatusCode == http.StatusNotFound:
		return UpdateResult{}, runway.Errorf(runway.ENOTFOUND, "the mirror has no %s advisories at %s (HTTP 404): check the ecosystem's name (npm, Go, PyPI, Maven, ...) and the mirror", eco, src)
	case resp.StatusCode != http.StatusOK:
		return UpdateResult{}, runway.Errorf(runway.EUNAVAILABLE, "the mirror answered %s for %s; try again later or ask your platform team", resp.Status, src)
	}
	info, err := u.importBody(ctx, resp, eco, src)
	return UpdateResult{Ecosystem: eco, Changed: true, Info: info}, err
}

// importBody saves the archive to a temporary file, within the size
// limit, and imports it in place of the ecosystem's advisories.
func (u *Updater) importBody(ctx context.Context, resp *http.Response, eco, src string) (EcosystemInfo, error) {
	limit := u.MaxDownload
	if limit <= 0 {
		limit = DefaultMaxDownload
	}
	if resp.ContentLength > limit {
		return EcosystemInfo{}, runway.Errorf(runway.EINVALID, "refusing %s: it is %d bytes, more than the download limit of %d", src, resp.ContentLength, limit)
	}
	if err := os.MkdirAll(u.Dir, 0o755); err != nil {
		return EcosystemInfo{}, &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("cannot create the vulnerability database folder %s", u.Dir), Err: err}
	}
	f, err := os.CreateTemp(u.Dir, ".download-*.zip")
	if err != nil {
		return EcosystemInfo{}, fmt.Errorf("update %s: %w", eco, err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	n, err := io.Copy(f, io.LimitReader(resp.Body, limit+1))
	switch {
	case err != nil:
		return EcosystemInfo{}, &runway.Error{Code: runway.EUNAVAILABLE, Message: fmt.Sprintf("the download of %s broke off; try again", src), Err: err}
	case n > limit:
		return EcosystemInfo{}, runway.Errorf(runway.EINVALID, "refusing %s: it is more than the download limit of %d bytes", src, limit)
	}
	im := &Importer{Dir: u.Dir, Limits: u.Limits, Now: u.Now}
	b, bctx := newBatch(ctx)
	err = readArchive(bctx, f, n, src, im.Limits.orDefault(), func(entry string, data []byte) error {
		return b.parse(data, fmt.Sprintf("%s (entry %s)", src, entry))
	})
	if err = b.wait(err); err != nil {
		return EcosystemInfo{}, err
	}
	infos, err := im.commit(b, commitOptions{source: src, replace: eco, etag: resp.Header.Get("ETag"), lastModified: resp.Header.Get("Last-Modified")})
	if err != nil {
		return EcosystemInfo{}, err
	}
	return infos[0], nil
}

// stored returns what the database holds about an ecosystem, if anything.
func (u *Updater) stored(eco string) (EcosystemInfo, bool) {
	db, err := Open(u.Dir)
	if err != nil {
		return EcosystemInfo{}, false
	}
	defer db.Close()
	return db.Ecosystem(eco)
}

// touch records that the mirror confirmed an ecosystem's advisories are
// current: the file is copied with a new update time and renamed into place.
func (u *Updater) touch(eco string) (EcosystemInfo, error) {
	path := filepath.Join(u.Dir, fileName(eco))
	ix, err := openIndex(path)
	if err != nil {
		return EcosystemInfo{}, fmt.Errorf("update %s: %w", eco, err)
	}
	defer ix.Close()
	now := time.Now
	if u.Now != nil {
		now = u.Now
	}
	hdr := ix.hdr
	hdr.Updated = now().UTC()
	tmp, err := os.CreateTemp(u.Dir, "."+fileName(eco)+".tmp-*")
	if err != nil {
		return EcosystemInfo{}, fmt.Errorf("update %s: %w", eco, err)
	}
	defer os.Remove(tmp.Name())
	err = copyWithHeader(tmp, ix, hdr)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return EcosystemInfo{}, fmt.Errorf("update %s: %w", eco, err)
	}
	return hdr.EcosystemInfo, nil
}

func (u *Updater) client() *http.Client {
	if u.Client != nil {
		return u.Client
	}
	return &http.Client{
		Timeout: 30 * time.Minute,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 15 * time.Second}).DialContext,
			TLSHandshakeTimeout:   15 * time.Second,
			ResponseHeaderTimeout: 60 * time.Second,
		},
	}
}

package tlsfixture

import (
	"crypto/tls"
	"net/http"
)

func insecureClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}, // expect: go/G402
	}}
}

// A #nosec comment needs no reason, so Runway ignores it: only
// `runway:allow RULE -- reason` accepts a finding.
func nosecClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}, // expect: go/G402 (despite #nosec G402)
	}}
}

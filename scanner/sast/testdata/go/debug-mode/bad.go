package debugmode

import (
	"net/http"
	_ "net/http/pprof" // expect: go/G108
)

func handler() http.Handler { return http.DefaultServeMux }

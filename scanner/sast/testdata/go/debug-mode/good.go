package debugmode

import "net/http"

func mux() *http.ServeMux { return http.NewServeMux() }

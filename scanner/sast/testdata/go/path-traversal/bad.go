package pathtraversal

import (
	"net/http"
	"os"
)

func download(w http.ResponseWriter, r *http.Request) {
	data, err := os.ReadFile("/srv/files/" + r.URL.Query().Get("name")) // expect: go/G703
	if err != nil {
		http.NotFound(w, r)
		return
	}
	_, _ = w.Write(data) // expect: go/G705
}

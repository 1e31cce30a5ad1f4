package commandinjection

import (
	"net/http"
	"os/exec"
)

func ping(w http.ResponseWriter, r *http.Request) {
	host := r.URL.Query().Get("host")
	out, err := exec.Command("sh", "-c", "ping -c 1 "+host).Output() // expect: go/G204 go/G702
	if err != nil {
		http.Error(w, "ping failed", http.StatusBadGateway)
		return
	}
	_, _ = w.Write(out) // expect: go/G705
}

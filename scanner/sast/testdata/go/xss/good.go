package xss

import (
	"html/template"
	"net/http"
)

var page = template.Must(template.New("hello").Parse("<h1>Hello {{.}}</h1>"))

func helloSafe(w http.ResponseWriter, r *http.Request) {
	if err := page.Execute(w, r.URL.Query().Get("name")); err != nil {
		http.Error(w, "could not render", http.StatusInternalServerError)
	}
}

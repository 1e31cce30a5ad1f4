package app

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

// This file lists every web address the app answers, and what it does for
// each. It is the file to change first.
//
// To add an address: add a line to newHandler (method, path, function),
// then write the function below, copying one that already exists. Add a
// case for it to routes_test.go so `go test ./...` checks it.

// newHandler returns the app's routes, with one log line per request.
func newHandler(logger *slog.Logger, items *store) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", health)
	mux.HandleFunc("GET /api/hello", hello)
	mux.HandleFunc("GET /api/items", listItems(items))
	mux.HandleFunc("POST /api/items", createItem(items))
	mux.HandleFunc("GET /api/items/{id}", getItem(items))
	mux.HandleFunc("/", notFound)
	return logRequests(logger, mux)
}

// health tells the platform the app is up. Keep it fast and free of
// calls to other services: the platform calls it every few seconds.
func health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// hello greets whoever is named in ?name=, or the world.
func hello(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.URL.Query().Get("name"))
	if name == "" {
		name = "world"
	}
	if len(name) > 100 {
		writeError(w, http.StatusBadRequest, "name is too long: use at most 100 characters")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "Hello, " + name + "!"})
}

// listItems returns every item.
func listItems(items *store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"items": items.list()})
	}
}

// createItem adds the item sent as JSON: {"title": "..."}.
func createItem(items *store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Title string `json:"title"`
		}
		if err := readJSON(w, r, &in); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		item, err := items.add(in.Title)
		switch {
		case errors.Is(err, errFull):
			writeError(w, http.StatusConflict, err.Error())
		case err != nil:
			writeError(w, http.StatusBadRequest, err.Error())
		default:
			writeJSON(w, http.StatusCreated, item)
		}
	}
}

// getItem returns one item by its number.
func getItem(items *store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.PathValue("id"))
		if err != nil {
			writeError(w, http.StatusBadRequest, "the item number must be a whole number")
			return
		}
		item, ok := items.get(id)
		if !ok {
			writeError(w, http.StatusNotFound, "there is no item "+strconv.Itoa(id))
			return
		}
		writeJSON(w, http.StatusOK, item)
	}
}

// notFound answers every address not listed above.
func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "nothing here: check the address and the method")
}

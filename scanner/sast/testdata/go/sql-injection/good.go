package sqlinjection

import (
	"database/sql"
	"net/http"
)

func itemByIDSafe(db *sql.DB, id string) (*sql.Rows, error) {
	return db.Query("SELECT * FROM items WHERE id = $1", id)
}

func searchSafe(db *sql.DB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rows, err := db.Query("SELECT * FROM items WHERE title = $1", r.URL.Query().Get("q"))
		if err != nil {
			http.Error(w, "search failed", http.StatusInternalServerError)
			return
		}
		_ = rows.Close()
	}
}

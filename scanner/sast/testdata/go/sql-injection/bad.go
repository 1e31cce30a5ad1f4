package sqlinjection

import (
	"database/sql"
	"fmt"
	"net/http"
)

func itemByID(db *sql.DB, id string) (*sql.Rows, error) {
	q := fmt.Sprintf("SELECT * FROM items WHERE id = %s", id) // expect: go/G201
	rows, err := db.Query(q)
	return rows, err
}

func itemsByOwner(db *sql.DB, owner string) (*sql.Rows, error) {
	rows, err := db.Query("SELECT * FROM items WHERE owner = '" + owner + "'") // expect: go/G202
	return rows, err
}

func search(db *sql.DB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := "SELECT * FROM items WHERE title = '" + r.URL.Query().Get("q") + "'" // expect: go/G202
		rows, err := db.Query(q)                                                  // expect: go/G701
		if err != nil {
			http.Error(w, "search failed", http.StatusInternalServerError)
			return
		}
		_ = rows.Close()
	}
}

package app

import (
	"errors"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// maxItems bounds the memory the example list may use.
const maxItems = 1000

// errFull is returned when the list already holds maxItems items.
var errFull = errors.New("the list is full: remove items or raise maxItems in store.go")

// item is one entry of the example list.
type item struct {
	ID      int       `json:"id"`
	Title   string    `json:"title"`
	Created time.Time `json:"created"`
}

// store keeps the example list in memory. Everything in it is lost when
// the app restarts: to keep data, ask the platform team for a database and
// declare it in runway.yaml.
type store struct {
	mu    sync.Mutex
	items []item
}

func newStore() *store { return &store{} }

// add appends an item with the given title and returns it.
func (s *store) add(title string) (item, error) {
	title = strings.TrimSpace(title)
	switch {
	case title == "":
		return item{}, errors.New("title is missing: send {\"title\": \"...\"}")
	case utf8.RuneCountInString(title) > 200:
		return item{}, errors.New("title is too long: use at most 200 characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.items) >= maxItems {
		return item{}, errFull
	}
	it := item{ID: len(s.items) + 1, Title: title, Created: time.Now().UTC()}
	s.items = append(s.items, it)
	return it, nil
}

// get returns the item with the given number.
func (s *store) get(id int) (item, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id < 1 || id > len(s.items) {
		return item{}, false
	}
	return s.items[id-1], true
}

// list returns a copy of every item, oldest first.
func (s *store) list() []item {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]item{}, s.items...)
}

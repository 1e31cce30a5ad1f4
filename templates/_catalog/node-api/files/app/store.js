'use strict';

// The example list, kept in memory. Everything in it is lost when the app
// restarts: to keep data, ask the platform team for a database and declare
// it in runway.yaml.

const { HttpError } = require('./router');

// The most items the list may hold, so it cannot use up the app's memory.
const MAX_ITEMS = 1000;
const MAX_TITLE = 200;

// createStore returns an empty list with add, get and list methods.
function createStore() {
  const items = [];
  return {
    add(title) {
      const clean = typeof title === 'string' ? title.trim() : '';
      if (clean === '') {
        throw new HttpError(400, 'title is missing: send {"title": "..."}');
      }
      if ([...clean].length > MAX_TITLE) {
        throw new HttpError(400, `title is too long: use at most ${MAX_TITLE} characters`);
      }
      if (items.length >= MAX_ITEMS) {
        throw new HttpError(409, 'the list is full: remove items or raise MAX_ITEMS in store.js');
      }
      const item = { id: items.length + 1, title: clean, created: new Date().toISOString() };
      items.push(item);
      return item;
    },
    get(id) {
      return items[id - 1];
    },
    list() {
      return [...items];
    },
  };
}

module.exports = { createStore, MAX_ITEMS };

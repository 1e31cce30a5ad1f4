'use strict';

// Every web address the app answers, and what it does for each. This is the
// file to change first.
//
// Each route is: route(METHOD, PATH, function). The function receives
// { params, query, body, headers } and returns { status, body }; status is
// 200 when left out, and body is sent as JSON. To refuse a request, throw
// new HttpError(status, 'a message saying what to fix').
//
// To add an address: copy a route below, change it, then add a case for it
// to test/routes.test.js so `npm test` checks it.

const { route, HttpError } = require('./router');

function createRoutes({ items }) {
  return [
    // The platform calls this every few seconds to see that the app is up.
    // Keep it fast, and free of calls to other services.
    route('GET', '/healthz', () => ({ body: { status: 'ok' } })),

    // Greets whoever is named in ?name=, or the world.
    route('GET', '/api/hello', ({ query }) => {
      const name = (query.name || 'world').trim();
      if (name.length > 100) {
        throw new HttpError(400, 'name is too long: use at most 100 characters');
      }
      return { body: { message: `Hello, ${name}!` } };
    }),

    // Lists every item.
    route('GET', '/api/items', () => ({ body: { items: items.list() } })),

    // Adds the item sent as JSON: {"title": "..."}.
    route('POST', '/api/items', ({ body }) => ({ status: 201, body: items.add(body?.title) })),

    // Returns one item by its number.
    route('GET', '/api/items/:id', ({ params }) => {
      const id = Number(params.id);
      if (!Number.isInteger(id)) {
        throw new HttpError(400, 'the item number must be a whole number');
      }
      const item = items.get(id);
      if (!item) {
        throw new HttpError(404, `there is no item ${id}`);
      }
      return { body: item };
    }),
  ];
}

module.exports = { createRoutes };

'use strict';

// Starts the app: tracing first (so it sees every request), then the web
// server. It stops cleanly when the platform asks it to (SIGTERM) or when
// you press Ctrl+C (SIGINT): requests already running may finish first.
//
// You rarely need to change this file. The web addresses the app answers
// are in routes.js.

const { startTelemetry } = require('./telemetry');

const telemetry = startTelemetry(process.env);

const { loadConfig } = require('./config');
const { createLogger } = require('./log');
const { createRoutes } = require('./routes');
const { createServer } = require('./router');
const { createStore } = require('./store');

// How long requests already running may take once the app is asked to stop.
const SHUTDOWN_GRACE_MS = 10_000;

function main() {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    createLogger().error('the app cannot start: its settings are not valid', { error: err.message });
    process.exitCode = 1;
    return;
  }
  const logger = createLogger({ level: config.logLevel });
  const server = createServer(createRoutes({ items: createStore() }), { logger });
  server.listen(config.port, () => {
    logger.info('listening', { port: server.address().port, tracing: telemetry.enabled });
  });
  const stop = (signal) => shutdown(server, logger, signal);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

// shutdown stops taking new requests, lets the running ones finish, sends
// the last traces, then exits.
function shutdown(server, logger, signal) {
  logger.info('stopping: finishing the requests in flight', { signal });
  const force = setTimeout(() => {
    logger.warn('some requests did not finish in time; stopping anyway');
    process.exit(1);
  }, SHUTDOWN_GRACE_MS);
  force.unref();
  server.close(async () => {
    await telemetry.shutdown().catch((err) => logger.warn('some traces could not be sent', { error: err.message }));
    logger.info('stopped');
    clearTimeout(force);
  });
  server.closeIdleConnections();
}

main();

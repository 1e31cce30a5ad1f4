'use strict';

// The app's settings. They all come from environment variables, so the same
// code runs on your laptop and on the platform.
//
// Secrets (passwords, API keys, tokens) come from environment variables too,
// and only from there: never write one in the code, in runway.yaml or in
// .env.example. To use one:
//
//   1. Declare the integration in runway.yaml with the secret's NAME, for
//      example `secret: SLACK_BOT_TOKEN`.
//   2. Ask the platform team to store the value under that name. The
//      platform hands it to the app as an environment variable when it
//      starts.
//   3. Read it below with secret(env, 'SLACK_BOT_TOKEN'), and never log it.
//
// On your laptop, put the value in .env (which Git ignores) and start the
// app with `node --env-file=.env app/server.js`.

const LEVELS = ['debug', 'info', 'warn', 'error'];
const DEFAULT_PORT = 8080;

// loadConfig reads the settings from env and throws an Error saying what to
// fix when one is not valid.
function loadConfig(env) {
  return {
    port: readPort(env.PORT),
    logLevel: readLevel(env.LOG_LEVEL),
  };
}

function readPort(value) {
  if (value === undefined || value === '') {
    return DEFAULT_PORT;
  }
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT is "${value}": it must be a number between 0 and 65535`);
  }
  return port;
}

function readLevel(value) {
  if (value === undefined || value === '') {
    return 'info';
  }
  if (!LEVELS.includes(value)) {
    throw new Error(`LOG_LEVEL is "${value}": use one of ${LEVELS.join(', ')}`);
  }
  return value;
}

// secret returns the secret stored under name, or throws an Error naming
// (never showing) what is missing. Call it where the secret is needed, so
// the app still starts without it and says clearly what to ask for.
function secret(env, name) {
  const value = env[name];
  if (!value) {
    throw new Error(`the secret ${name} is not set: declare it in runway.yaml and ask the platform team to store it`);
  }
  return value;
}

module.exports = { loadConfig, secret, LEVELS };

#!/bin/sh
# Loads sample expenses into the test account.
set -eu
export STRIPE_TEST_KEY="{{STRIPE_TEST_KEY}}"
node scripts/seed.js

#!/bin/sh
# Checks the Go code for common mistakes (go vet) and for formatting
# (gofmt). Run it from anywhere: sh scripts/lint.sh
# It prints what to fix and exits with 1 when something needs fixing.
set -u
cd "$(dirname "$0")/.." || exit 2

status=0

echo "go vet: looking for common mistakes..."
if ! go vet ./...; then
	echo "go vet found problems: each line above names the file, the line and the mistake."
	status=1
fi

echo "gofmt: checking the layout of the code..."
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "These files are not laid out the standard Go way. Fix each one with:"
	for f in $unformatted; do
		echo "  gofmt -w $f"
	done
	status=1
fi

if [ "$status" -eq 0 ]; then
	echo "lint: all good."
fi
exit "$status"

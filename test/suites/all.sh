#!/bin/sh
# `npm test`: ESLint and Prettier, the tsc type-check, and both jest projects. The checks run beside
# jest, not before it: jest's integration tests wait on child processes and servers much of the
# time, which the checks use. Their output is printed after jest's; the run fails when any failed.
set -u
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

npm run --silent lint > "$logs/lint" 2>&1 &
lint=$!
tsc -p tsconfig.test.json --incremental --tsBuildInfoFile node_modules/.cache/tsc/test.tsbuildinfo > "$logs/typecheck" 2>&1 &
typecheck=$!

PIPELINE_PLATFORM_TEST_GROUPS=1 NODE_OPTIONS="--experimental-vm-modules --disable-warning=ExperimentalWarning" jest "$@"
status=$?

for check in lint typecheck; do
    eval "pid=\$$check"
    if ! wait "$pid"; then
        echo "npm test: $check failed:" >&2
        cat "$logs/$check" >&2
        status=1
    fi
done
exit $status

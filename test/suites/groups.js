// Which test files are integration tests, and how `npm test` groups the unit test files.
//
// Integration tests need what a unit test must not: a child process, a server on loopback, a packed
// package, git. They run file by file in the `integration` project.
//
// Every other test file is a unit test. A run that names no test paths (`npm test`, `npx jest`)
// loads the unit files group by group, one module registry per group (test/suites/<group>.test.ts),
// so the SDKs and the package load once per group rather than once per file and the stacks, examples
// and component programs are evaluated once and shared (test/support/evaluations.ts). A run that
// names paths (`npx jest test/core`) runs those files one by one, as jest always does.
const fs = require("fs");
const path = require("path");

const TEST_ROOT = path.join(__dirname, "..");

/** Test files, relative to test/, that run as integration tests. */
const INTEGRATION = [
    "bad-input/apply-time.test.ts",
    "bench/bench.test.ts",
    "guarantees/determinism.test.ts",
    "package/consumer.test.ts",
    "package/npm-test-script.test.ts",
    "registry/pull-check-hostile.test.ts",
    "registry/pull-check.test.ts",
    "registry/registry-secret-update.test.ts",
    "render/processes.test.ts",
    "testing/engine-process.test.ts",
];

/**
 * Unit groups by folder under test/: the `programs` group holds every folder whose tests evaluate
 * the stacks, the examples or the component programs of the guarantees, so they share those
 * evaluations; `components` holds the rest, and any new folder.
 */
const PROGRAM_FOLDERS = [
    "bad-input",
    "bench",
    "cold-start",
    "data-safety",
    "examples",
    "guarantees",
    "monitoring",
    "platform",
    "render",
    "stacks",
];

/** Every `*.test.ts` under test/ (suites excluded), relative to test/, sorted. */
function testFiles() {
    return fs
        .readdirSync(TEST_ROOT, { recursive: true, encoding: "utf8" })
        .map((f) => f.split(path.sep).join("/"))
        .filter(
            (f) => f.endsWith(".test.ts") && !f.startsWith("suites/") && !f.startsWith("fixtures/"),
        )
        .sort();
}

/** The group a unit test file belongs to. */
function groupOf(file) {
    return PROGRAM_FOLDERS.includes(file.split("/")[0]) ? "programs" : "components";
}

/** The unit test files of a group, as absolute paths. */
function unitFiles(group) {
    return testFiles()
        .filter((f) => !INTEGRATION.includes(f) && groupOf(f) === group)
        .map((f) => path.join(TEST_ROOT, f));
}

module.exports = { INTEGRATION, TEST_ROOT, testFiles, unitFiles };

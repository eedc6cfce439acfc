// Two projects: `unit` (in-process) and `integration` (child processes, loopback servers, a packed
// package, git; listed in test/suites/groups.js). `npm test` runs both with the unit files grouped
// (PIPELINE_PLATFORM_TEST_GROUPS=1: one module registry per group, see groups.js); `npx jest <paths>`
// runs the files named, one by one.
const path = require("path");
const { INTEGRATION } = require("./test/suites/groups");

const GROUPED = process.env.PIPELINE_PLATFORM_TEST_GROUPS === "1";
const escape = (file) => file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const common = {
    testEnvironment: "node",
    transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.test.json" }] },
    snapshotResolver: "<rootDir>/test/suites/snapshot-resolver.js",
    setupFiles: ["<rootDir>/test/suites/stack-depth.js"],
};

/** @type {import('jest').Config} */
module.exports = {
    testTimeout: 60000,
    // Two workers on two cores: integration tests mostly wait for their child processes.
    maxWorkers: 2,
    projects: [
        GROUPED
            ? {
                  ...common,
                  displayName: "unit",
                  roots: ["<rootDir>/test/suites"],
                  testMatch: ["**/*.test.ts"],
              }
            : {
                  ...common,
                  displayName: "unit",
                  roots: ["<rootDir>/test"],
                  testMatch: ["**/*.test.ts"],
                  testPathIgnorePatterns: [
                      "/node_modules/",
                      "<rootDir>/test/suites/",
                      ...INTEGRATION.map((f) => `<rootDir>/test/${escape(f)}$`),
                  ],
              },
        {
            ...common,
            displayName: "integration",
            roots: ["<rootDir>/test"],
            testMatch: INTEGRATION.map((f) => path.join("<rootDir>/test", f)),
        },
    ],
};

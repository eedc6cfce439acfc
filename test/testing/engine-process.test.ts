import { spawnSync } from "child_process";
import * as path from "path";
import { nodeTs } from "../support/node-ts";

// jest claims every unhandled rejection for itself, so a failing apply is observed from outside.
test("an error thrown inside an apply fails the run, naming the property", () => {
    const result = spawnSync(...nodeTs(path.join(__dirname, "programs/apply-fails.ts")), {
        encoding: "utf8",
        timeout: 60000,
    });
    expect(result.status).toBe(3);
    expect(result.stdout).toMatch(
        /^run failed: .*namespaces\[0\]: got "s"; expected a namespace that exists; registered before failing: s\n/,
    );
});

import * as fs from "fs";
import * as path from "path";

const root = path.join(__dirname, "../..");

describe("the test setup and the package's imports", () => {
    test("every test file runs with Node's stack depth of 10 frames, not jest's 100", () => {
        expect(Error.stackTraceLimit).toBe(10);
    });

    test("the package imports AWS and GCP by submodule, never the whole SDK (whose declarations TypeScript would parse)", () => {
        const sources = fs
            .readdirSync(path.join(root, "components"), { recursive: true, encoding: "utf8" })
            .filter((f) => f.endsWith(".ts"))
            .map((f) => path.join("components", f));
        expect(sources.length).toBeGreaterThan(50);
        const whole = sources.filter((file) =>
            /from "@pulumi\/(aws|gcp)"/.test(fs.readFileSync(path.join(root, file), "utf8")),
        );
        expect(whole).toEqual([]);
    });
});

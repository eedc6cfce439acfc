import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const script = path.join(__dirname, "../suites/all.sh");

/**
 * `npm test`'s script with stand-ins for `npm`, `tsc` and `jest` on PATH, each printing its name and
 * exiting with the code given: what the script prints and the code it ends with.
 */
function runWith(codes: { lint: number; tsc: number; jest: number }) {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "npm-test-script-"));
    try {
        const standIn = (name: string, text: string, code: number) => {
            const file = path.join(bin, name);
            fs.writeFileSync(file, `#!/bin/sh\necho "${text}"\nexit ${code}\n`);
            fs.chmodSync(file, 0o755);
        };
        standIn("npm", "lint output", codes.lint);
        standIn("tsc", "tsc output", codes.tsc);
        standIn("jest", "jest output", codes.jest);
        return spawnSync("sh", [script], {
            encoding: "utf8",
            env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        });
    } finally {
        fs.rmSync(bin, { recursive: true, force: true });
    }
}

describe("npm test (test/suites/all.sh)", () => {
    test("passes when lint, the type-check and jest pass, printing only jest's output", () => {
        const result = runWith({ lint: 0, tsc: 0, jest: 0 });
        expect([result.status, result.stdout, result.stderr]).toEqual([0, "jest output\n", ""]);
    });

    test.each([
        ["lint", { lint: 1, tsc: 0, jest: 0 }, "npm test: lint failed:\nlint output\n"],
        [
            "the type-check",
            { lint: 0, tsc: 2, jest: 0 },
            "npm test: typecheck failed:\ntsc output\n",
        ],
    ])("fails when %s fails, printing its output after jest's", (_what, codes, shown) => {
        const result = runWith(codes);
        expect([result.status, result.stdout, result.stderr]).toEqual([1, "jest output\n", shown]);
    });

    test("fails with jest's code when jest fails", () => {
        expect(runWith({ lint: 0, tsc: 0, jest: 1 }).status).toBe(1);
    });
});

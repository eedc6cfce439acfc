// render in processes of its own: the `npm run render` script and a program loaded by Node's module
// system (the in-process tests of both are in render.test.ts and load-program.test.ts).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const fixture = path.join(__dirname, "fixtures/mini");
const programs = path.join(__dirname, "fixtures/programs");
const repoRoot = path.join(__dirname, "../..");

describe("npm run render", () => {
    test("runs the command from the sources, as the README's first line does", () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "render-script-"));
        try {
            const result = spawnSync(
                "npm",
                [
                    "run",
                    "--silent",
                    "render",
                    "--",
                    "--stack",
                    "dev",
                    "--root",
                    fixture,
                    "--out",
                    out,
                ],
                { cwd: repoRoot, encoding: "utf8", timeout: 120000 },
            );
            expect(result.stderr).toMatch(
                /\nrender: stack dev is valid; 8 files in .* \(\d+\.\ds\)\n$/,
            );
            expect(result.status).toBe(0);
            expect(result.stdout).toMatch(/^test:render:App app\n[\s\S]* {4}5 {2}total\n\n$/);
            expect(fs.readFileSync(path.join(out, "tree.txt"), "utf8")).toMatch(
                /^test:render:App app\n/,
            );
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    }, 120000);
});

describe("evaluateProgram under Node", () => {
    test("evaluates a top-level program afresh on each call under Node's module cache", () => {
        const child = spawnSync(
            path.join(repoRoot, "node_modules/.bin/tsx"),
            [path.join(programs, "evaluate-twice.ts")],
            { encoding: "utf8", timeout: 60000 },
        );
        expect(child.stderr).toBe("");
        expect(JSON.parse(child.stdout)).toEqual([{ runs: 1 }, { runs: 2 }]);
    });
});

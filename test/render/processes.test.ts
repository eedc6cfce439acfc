// render in processes of its own: the `npm run render` script and a program loaded by Node's module
// system (the in-process tests of both are in render.test.ts and load-program.test.ts).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { nodeTs } from "../support/node-ts";

const fixture = path.join(__dirname, "fixtures/mini");
const programs = path.join(__dirname, "fixtures/programs");
const repoRoot = path.join(__dirname, "../..");
const loaderFixtures = path.join(__dirname, "fixtures/ts-loader");

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
        const child = spawnSync(...nodeTs(path.join(programs, "evaluate-twice.ts")), {
            encoding: "utf8",
            timeout: 60000,
        });
        expect(child.stderr).toBe("");
        expect(JSON.parse(child.stdout)).toEqual([{ runs: 1 }, { runs: 2 }]);
    });
});

describe("the TypeScript loader of npm run render, under Node", () => {
    let tmp: string;
    beforeEach(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ts-loader-process-"));
    });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    /** `node --require bin/render/register-ts.js <file> [args]`, its cache in the test's folder. */
    const run = (file: string, args: string[] = [], env: Record<string, string> = {}) =>
        spawnSync(
            process.execPath,
            ["--require", path.join(repoRoot, "bin/render/register-ts.js"), file, ...args],
            {
                encoding: "utf8",
                env: {
                    ...process.env,
                    NODE_OPTIONS: "",
                    PIPELINE_PLATFORM_TS_CACHE: path.join(tmp, "cache"),
                    PIPELINE_PLATFORM_MAPPED_STACKS: "",
                    ...env,
                },
                timeout: 60000,
            },
        );

    test("finds TypeScript modules without their extension, leaves JavaScript to Node and starts esbuild only on a cache miss", () => {
        const main = path.join(loaderFixtures, "main.ts");
        const first = run(main);
        expect(first.stderr).toBe("");
        const printed = {
            greeting: "hello main, from helper.ts",
            loadedAs: "plain.js",
            extensions: [".js", ".json", ".node", ".ts"],
        };
        expect(JSON.parse(first.stdout)).toEqual({ ...printed, esbuildLoaded: true });
        expect(fs.readdirSync(path.join(tmp, "cache")).sort()).toEqual([
            expect.stringMatching(/^helper-[0-9a-f]{16}-[0-9a-f]{64}\.js$/),
            expect.stringMatching(/^main-[0-9a-f]{16}-[0-9a-f]{64}\.js$/),
        ]);
        const second = run(main);
        expect(second.stderr).toBe("");
        expect(JSON.parse(second.stdout)).toEqual({ ...printed, esbuildLoaded: false });
    });

    test("a stack trace names the TypeScript file's own line with PIPELINE_PLATFORM_MAPPED_STACKS=1, and the transpiled one without", () => {
        const main = path.join(loaderFixtures, "main.ts");
        const line =
            fs
                .readFileSync(main, "utf8")
                .split("\n")
                .findIndex((l) => l.includes('throw new Error("thrown from main.ts")')) + 1;
        const frame = `Error: thrown from main.ts\n    at Object.<anonymous> (${main}:${line}:11)`;
        const mapped = run(main, ["throw"], { PIPELINE_PLATFORM_MAPPED_STACKS: "1" });
        expect(mapped.status).toBe(1);
        expect(mapped.stderr).toContain(frame);
        const unmapped = run(main, ["throw"]);
        expect(unmapped.status).toBe(1);
        expect(unmapped.stderr).toContain(
            `Error: thrown from main.ts\n    at Object.<anonymous> (${main}:`,
        );
        expect(unmapped.stderr).not.toContain(frame);
    });

    test("a syntax error names the file, line and column, and nothing runs", () => {
        const broken = path.join(tmp, "broken.ts");
        fs.writeFileSync(broken, 'process.stdout.write("ran");\nconst = 2;\n');
        const result = run(broken);
        expect(result.status).toBe(1);
        expect(result.stdout).toBe("");
        expect(result.stderr).toContain(`${broken}:2:6: ERROR: Expected identifier but found "="`);
    });
});

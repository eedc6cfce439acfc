import * as fs from "fs";
import * as path from "path";
import { createTranspiler, DEFAULT_CACHE } from "../../bin/render/ts-loader";
import { temporaryFolders } from "../support/temporary";

const SOURCE = `import { join } from "path";
export const where: string = join("a", "b");
`;

describe("the render command's TypeScript transpiler", () => {
    const folder = temporaryFolders();
    let tmp: string;
    beforeEach(() => {
        tmp = folder("ts-loader");
    });

    test("transpiles to CommonJS with an inline source map naming the file", () => {
        const file = path.join(tmp, "program.ts");
        const { code } = createTranspiler({ cacheDir: false })(file, SOURCE);
        expect(code).toContain('require("path")');
        expect(code).not.toContain(": string");
        const map = /\/\/# sourceMappingURL=data:application\/json;base64,(.+)\n$/.exec(code);
        expect(JSON.parse(Buffer.from(map?.[1] ?? "", "base64").toString()).sources).toEqual([
            file,
        ]);
    });

    test("caches the output on disk under the file's name and hashes, and reads it back", () => {
        const cacheDir = path.join(tmp, "cache");
        const file = path.join(tmp, "program.ts");
        const first = createTranspiler({ cacheDir })(file, SOURCE);
        expect(first.cached).toBe(false);
        const entries = fs.readdirSync(cacheDir);
        expect(entries).toEqual([expect.stringMatching(/^program-[0-9a-f]{16}-[0-9a-f]{64}\.js$/)]);
        expect(fs.readFileSync(path.join(cacheDir, entries[0]), "utf8")).toBe(first.code);

        // A new transpiler (a new process) finds it: what the cache holds is what it returns.
        fs.writeFileSync(path.join(cacheDir, entries[0]), "exports.where = 'from the cache';\n");
        expect(createTranspiler({ cacheDir })(file, SOURCE)).toEqual({
            code: "exports.where = 'from the cache';\n",
            cached: true,
        });
    });

    test("keeps its cache in node_modules/.cache/pipeline-platform-ts unless PIPELINE_PLATFORM_TS_CACHE names another folder", () => {
        expect(DEFAULT_CACHE).toBe(
            path.join(__dirname, "../../node_modules/.cache/pipeline-platform-ts"),
        );
        const file = path.join(tmp, "default-cache.ts");
        const saved = process.env.PIPELINE_PLATFORM_TS_CACHE;
        delete process.env.PIPELINE_PLATFORM_TS_CACHE;
        try {
            createTranspiler()(file, SOURCE);
        } finally {
            if (saved !== undefined) {
                process.env.PIPELINE_PLATFORM_TS_CACHE = saved;
            }
        }
        const entries = fs.readdirSync(DEFAULT_CACHE).filter((e) => e.startsWith("default-cache-"));
        expect(entries).toHaveLength(1);
        fs.rmSync(path.join(DEFAULT_CACHE, entries[0]));
    });

    test("transpiles again when the source changes, and keeps only the newest entry of a file", () => {
        const cacheDir = path.join(tmp, "cache");
        const file = path.join(tmp, "program.ts");
        const transpile = createTranspiler({ cacheDir });
        transpile(file, SOURCE);
        const [before] = fs.readdirSync(cacheDir);
        const changed = transpile(file, `${SOURCE}export const more = 1;\n`);
        expect(changed.cached).toBe(false);
        expect(changed.code).toContain("more");
        const [after, ...others] = fs.readdirSync(cacheDir);
        expect(others).toEqual([]);
        expect(after).not.toBe(before);
        expect(after.slice(0, "program-".length + 17)).toBe(
            before.slice(0, "program-".length + 17),
        );
    });

    test("keeps an entry per file: a file of the same name elsewhere is another entry", () => {
        const cacheDir = path.join(tmp, "cache");
        const transpile = createTranspiler({ cacheDir });
        transpile(path.join(tmp, "program.ts"), SOURCE);
        fs.mkdirSync(path.join(tmp, "other"));
        expect(transpile(path.join(tmp, "other", "program.ts"), SOURCE).cached).toBe(false);
        expect(transpile(path.join(tmp, "program.ts"), SOURCE).cached).toBe(true);
        expect(fs.readdirSync(cacheDir)).toHaveLength(2);
    });

    test("the first new entry of a transpiler removes entries not written for a week", () => {
        const cacheDir = path.join(tmp, "cache");
        fs.mkdirSync(cacheDir);
        const week = 7 * 24 * 60 * 60 * 1000;
        const entry = (name: string, ageMs: number) => {
            const file = path.join(cacheDir, `${name}-0123456789abcdef-${"0".repeat(64)}.js`);
            fs.writeFileSync(file, "");
            const when = new Date(Date.now() - ageMs);
            fs.utimesSync(file, when, when);
            return path.basename(file);
        };
        const old = entry("old", week + 60_000);
        const recent = entry("recent", week - 60_000);
        createTranspiler({ cacheDir })(path.join(tmp, "program.ts"), SOURCE);
        const after = fs.readdirSync(cacheDir);
        expect(after).not.toContain(old);
        expect(after).toContain(recent);
        expect(after).toHaveLength(2);
    });

    test("reads the nearest tsconfig.json's compiler options, and a changed tsconfig is a cache miss", () => {
        const cacheDir = path.join(tmp, "cache");
        const file = path.join(tmp, "src", "fields.ts");
        fs.mkdirSync(path.dirname(file));
        const source = "export class Fields { declared: number | undefined; }\n";
        const fieldsWith = (useDefineForClassFields: boolean) => {
            fs.writeFileSync(
                path.join(tmp, "tsconfig.json"),
                `{\n  // comments are allowed, as tsc allows them\n  "compilerOptions": { "useDefineForClassFields": ${useDefineForClassFields} },\n}\n`,
            );
            return createTranspiler({ cacheDir })(file, source);
        };
        const defined = fieldsWith(true);
        expect(defined.code).toMatch(/^\s+declared;$/m);
        const assigned = fieldsWith(false);
        expect(assigned.cached).toBe(false);
        expect(assigned.code).not.toMatch(/declared/);
    });

    test("transpiles without a cache where the cache cannot be written", () => {
        const blocker = path.join(tmp, "a-file");
        fs.writeFileSync(blocker, "");
        const transpile = createTranspiler({ cacheDir: path.join(blocker, "cache") });
        const file = path.join(tmp, "program.ts");
        expect(transpile(file, SOURCE).cached).toBe(false);
        expect(transpile(file, SOURCE)).toEqual({
            code: createTranspiler({ cacheDir: false })(file, SOURCE).code,
            cached: false,
        });
    });

    test("a syntax error names the file, line and column", () => {
        const file = path.join(tmp, "broken.ts");
        expect(() =>
            createTranspiler({ cacheDir: false })(file, "const ok = 1;\nconst = 2;\n"),
        ).toThrow(`${file}:2:6: ERROR: Expected identifier but found "="`);
    });
});

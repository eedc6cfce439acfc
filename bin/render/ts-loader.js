// @ts-check
// The TypeScript loader of `pipeline-platform render`: Node's CommonJS loader with one more extension,
// `.ts`, transpiled by esbuild (types stripped, never checked) and cached on disk. Only `.ts` files
// go through it; JavaScript (the SDKs, this package's compiled code) loads as Node loads it, and
// Node's own resolver finds `./x` as `x.ts` once `.ts` is a registered extension. Plain JavaScript
// (CommonJS with JSDoc types) so that plain `node --require` loads it from the sources.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");

/** What esbuild is asked for: CommonJS for Node's loader, an inline map for Node's source maps. */
const TRANSFORM = Object.freeze({ loader: "ts", format: "cjs", sourcemap: "inline" });

/** The esbuild version, read without loading esbuild: a cache hit never starts it. */
const ESBUILD_VERSION = /** @type {{ version: string }} */ (require("esbuild/package.json"))
    .version;

/** `node_modules/.cache/pipeline-platform-ts` in the node_modules folder esbuild is installed in. */
const DEFAULT_CACHE = path.join(
    path.dirname(path.dirname(require.resolve("esbuild/package.json"))),
    ".cache",
    "pipeline-platform-ts",
);

/**
 * @typedef {object} TranspilerOptions
 * @property {string | false} [cacheDir] Where transpiled files are kept (default: the environment's
 *   `PIPELINE_PLATFORM_TS_CACHE`, else `node_modules/.cache/pipeline-platform-ts`); `false` for none.
 */

/**
 * @typedef {object} Transpiled
 * @property {string} code CommonJS JavaScript with an inline source map.
 * @property {boolean} cached Whether it came from the cache.
 */

/**
 * Entries not written for this long are removed by the first transpilation of a process: those of
 * files that no longer exist, e.g. the temporary checkouts of `render --diff-ref`.
 */
const STALE_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

/** @param {string} text @returns {string} */
const sha256 = (text) => crypto.createHash("sha256").update(text).digest("hex");

/**
 * A function that transpiles a `.ts` file's source to CommonJS, with the nearest `tsconfig.json`'s
 * compiler options as esbuild reads them (`extends` is not followed). The output is cached as
 * `<name>-<path hash>-<key>.js`, the key hashing the source, that tsconfig, esbuild's version and
 * the options; a new entry replaces the file's earlier ones, so the cache holds one per file, and
 * the first new entry of a process removes those not written for a week. A cache that cannot be
 * read or written is not used, and the source is transpiled again.
 * @param {TranspilerOptions} [options]
 * @returns {(filename: string, source: string) => Transpiled}
 */
function createTranspiler(options = {}) {
    let cacheDir = options.cacheDir ?? (process.env.PIPELINE_PLATFORM_TS_CACHE || DEFAULT_CACHE);
    let swept = false;
    /** @type {Map<string, string>} tsconfig text (or "") by folder */
    const tsconfigs = new Map();
    /** @param {string} dir @returns {string} */
    const tsconfigOf = (dir) => {
        let text = tsconfigs.get(dir);
        if (text === undefined) {
            try {
                text = fs.readFileSync(path.join(dir, "tsconfig.json"), "utf8");
            } catch {
                const parent = path.dirname(dir);
                text = parent === dir ? "" : tsconfigOf(parent);
            }
            tsconfigs.set(dir, text);
        }
        return text;
    };
    return (filename, source) => {
        const tsconfig = tsconfigOf(path.dirname(filename));
        const prefix = `${path.basename(filename, ".ts")}-${sha256(filename).slice(0, 16)}-`;
        const entry = `${prefix}${sha256(JSON.stringify([ESBUILD_VERSION, TRANSFORM, tsconfig, source]))}.js`;
        if (cacheDir !== false) {
            try {
                return { code: fs.readFileSync(path.join(cacheDir, entry), "utf8"), cached: true };
            } catch {
                // Not cached yet (or unreadable): transpiled below.
            }
        }
        // Loaded on a miss only: a render whose files are all cached never starts esbuild.
        const { transformSync } = require("esbuild");
        const { code } = transformSync(source, {
            ...TRANSFORM,
            sourcefile: filename,
            ...(tsconfig === "" ? {} : { tsconfigRaw: tsconfig }),
        });
        if (cacheDir !== false) {
            try {
                fs.mkdirSync(cacheDir, { recursive: true });
                // Written aside and renamed: a concurrent reader sees the whole file or none.
                const partial = path.join(cacheDir, `${entry}.${process.pid}.tmp`);
                fs.writeFileSync(partial, code);
                fs.renameSync(partial, path.join(cacheDir, entry));
                const staleBefore = swept ? 0 : Date.now() - STALE_AFTER_MS;
                swept = true;
                for (const other of fs.readdirSync(cacheDir)) {
                    const file = path.join(cacheDir, other);
                    if (
                        other !== entry &&
                        other.endsWith(".js") &&
                        (other.startsWith(prefix) ||
                            (staleBefore > 0 &&
                                (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0) <
                                    staleBefore))
                    ) {
                        fs.rmSync(file, { force: true });
                    }
                }
            } catch {
                cacheDir = false;
            }
        }
        return { code, cached: false };
    };
}

/**
 * Registers `.ts` with Node's CommonJS loader, unless an extension for it is registered already
 * (tsx, ts-node or an earlier call keep theirs). Returns what removes the registration again.
 * @param {TranspilerOptions} [options]
 * @returns {() => void}
 */
function register(options) {
    const extensions = /** @type {Record<string, unknown>} */ (
        /** @type {{ _extensions: object }} */ (/** @type {unknown} */ (Module))._extensions
    );
    if (Object.hasOwn(extensions, ".ts")) {
        return () => undefined;
    }
    const transpile = createTranspiler(options);
    /** @param {{ _compile(code: string, filename: string): void }} module @param {string} filename */
    const loadTypeScript = (module, filename) =>
        module._compile(transpile(filename, fs.readFileSync(filename, "utf8")).code, filename);
    extensions[".ts"] = loadTypeScript;
    return () => {
        if (extensions[".ts"] === loadTypeScript) {
            delete extensions[".ts"];
        }
    };
}

/**
 * With `PIPELINE_PLATFORM_MAPPED_STACKS=1` (the switch that also keeps stack traces mapped while the
 * mock engine runs a program, see components/testing/engine.ts), turns on Node's source maps for
 * the files outside node_modules loaded from now on, so a stack trace names a `.ts` file's own lines
 * from its inline map while the SDKs' map files stay unread. Off by default: Node decodes the map of
 * every file it loads (about 50 ms of a stack's render) and render prints messages, not stack
 * traces. Needs Node 22.14 or later.
 */
function mapStackTracesWhenAsked() {
    if (
        process.env.PIPELINE_PLATFORM_MAPPED_STACKS === "1" &&
        Module.setSourceMapsSupport !== undefined &&
        !Module.getSourceMapsSupport().enabled
    ) {
        Module.setSourceMapsSupport(true, { nodeModules: false, generatedCode: false });
    }
}

module.exports = { createTranspiler, register, mapStackTracesWhenAsked, DEFAULT_CACHE };

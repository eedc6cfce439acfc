import { register } from "./ts-loader";

/** Program files whose top-level code ran in a module registry that cannot forget them. */
const evaluatedOnce = new Set<string>();

/**
 * Evaluates a Pulumi program file and returns what it produces, as the Pulumi runtime does: the
 * module's export when it is a function (`export = async () => …`) called, a default export (called
 * when it is a function), otherwise the named exports as the stack outputs. TypeScript loads
 * through the render command's loader (`ts-loader.js`: esbuild, cached), registered while the file
 * loads unless the process already has a TypeScript loader.
 *
 * Each call evaluates the file again, so each render registers its resources again: the file is
 * dropped from Node's module cache after loading, while what it imports (components, SDKs) stays
 * loaded once. A module registry that keeps every module it loaded (jest's, one per test file) runs
 * a program's top-level code only once; evaluating such a program a second time throws, while a
 * program exported as a function runs on every call.
 */
export function evaluateProgram(entry: string): unknown {
    // A process that already loads TypeScript (`npm run render`, the tsx command, ts-node) keeps
    // its own loader.
    const unregister = ".ts" in require.extensions ? () => undefined : register();
    try {
        const file = require.resolve(entry);
        if (evaluatedOnce.has(file)) {
            throw new Error(
                `${file}: its top-level code already ran in this module registry, which cannot run it again (jest keeps one instance per test file); export the program as a function (\`export = () => { …; return outputs; }\`) to evaluate it more than once`,
            );
        }
        // The program loads through this module system (Node's, or jest's registry under jest), so it
        // shares the Pulumi SDK, and with it the mocks, with the engine running it.
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the path is only known at run time
        const exported: unknown = require(file);
        delete require.cache[file];
        const main =
            exported && typeof exported === "object" && Object.hasOwn(exported, "default")
                ? (exported as { default: unknown }).default
                : exported;
        if (typeof main === "function") {
            return main();
        }
        if (require.cache[file] !== undefined) {
            evaluatedOnce.add(file);
        }
        return main === exported ? { ...(exported as object) } : main;
    } finally {
        unregister();
    }
}

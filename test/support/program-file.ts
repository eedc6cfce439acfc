import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/**
 * Runs a program file's top-level code afresh, as `pulumi up` runs it, and returns its exports. Only
 * the file itself is evaluated again; what it imports (the package, the SDKs) comes from the caller's
 * module registry, loaded once, so the program shares the Pulumi SDK, and with it the mocks, with the
 * engine running it. Jest's `isolateModules` would load every SDK again on every run.
 */
export function evaluateFresh(file: string): Record<string, unknown> {
    const { outputText } = ts.transpileModule(fs.readFileSync(file, "utf8"), {
        fileName: file,
        compilerOptions: {
            module: ts.ModuleKind.CommonJS,
            target: ts.ScriptTarget.ES2022,
            esModuleInterop: true,
        },
    });
    const dir = path.dirname(file);
    const program = { exports: {} as Record<string, unknown> };
    // module.require is this module's require: jest's registry under jest, Node's (with tsx) elsewhere.
    const load = (specifier: string): unknown =>
        module.require(specifier.startsWith(".") ? path.resolve(dir, specifier) : specifier);
    new Function("exports", "require", "module", "__filename", "__dirname", outputText)(
        program.exports,
        load,
        program,
        file,
        dir,
    );
    return program.exports;
}

import * as path from "path";

const REGISTER = path.join(__dirname, "../../bin/render/register-ts.js");

/**
 * How a test runs a TypeScript program in a child process: Node with the render command's loader
 * (`bin/render/register-ts.js`), which transpiles `.ts` files (cached) and leaves the SDKs' JavaScript
 * to Node. Returns the command and its arguments, for `spawn` and `spawnSync`.
 */
export function nodeTs(file: string, ...args: string[]): [string, string[]] {
    return [process.execPath, ["--require", REGISTER, file, ...args]];
}

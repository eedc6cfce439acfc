import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

const CACHE = path.join(__dirname, "../../node_modules/.cache/pipeline-platform-tests");

/**
 * What `compute` returns for the given input files, kept as JSON in `node_modules/.cache` under a key
 * that hashes each input's path and content: any change to an input computes it again, an unchanged
 * run reads it back. For slow generators whose output a test compares with committed files.
 */
export function cachedBy<T>(name: string, inputs: string[], compute: () => T, cacheDir = CACHE): T {
    const hash = createHash("sha256");
    for (const file of [...inputs].sort()) {
        hash.update(`${file}\0`).update(fs.readFileSync(file)).update("\0");
    }
    const entry = path.join(cacheDir, `${name}-${hash.digest("hex")}.json`);
    if (fs.existsSync(entry)) {
        return JSON.parse(fs.readFileSync(entry, "utf8")) as T;
    }
    const value = compute();
    fs.mkdirSync(cacheDir, { recursive: true });
    for (const stale of fs.readdirSync(cacheDir).filter((f) => f.startsWith(`${name}-`))) {
        fs.rmSync(path.join(cacheDir, stale), { force: true });
    }
    fs.writeFileSync(entry, JSON.stringify(value));
    return value;
}

import * as fs from "fs";
import * as path from "path";

/** Every file under `dir` (recursively), relative to it, sorted. */
export function filesUnder(dir: string): string[] {
    return fs
        .readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((f) => fs.statSync(path.join(dir, f)).isFile())
        .sort();
}

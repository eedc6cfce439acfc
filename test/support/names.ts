// The programs of the repository by name, read from the file system only: light enough for a test
// file that must not load the package (an integration test whose work runs in a child process).
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "../..");

/** The folders of examples/. */
export function exampleNames(): string[] {
    return fs
        .readdirSync(path.join(ROOT, "examples"), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort();
}

/** The environments in stacks/: `Pulumi.<env>.yaml`. */
export function stackNames(): string[] {
    return fs
        .readdirSync(path.join(ROOT, "stacks"))
        .flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? [])
        .sort();
}

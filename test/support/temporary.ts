import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * Temporary folders for the tests of one file or describe block: the function returned makes one
 * under the system's temporary folder (`prefix` and a random suffix), and every folder it made is
 * removed after the block's tests. Call it where hooks may be declared (a file's top level or a
 * describe callback), not inside a test.
 */
export function temporaryFolders(): (prefix: string) => string {
    const made: string[] = [];
    afterAll(() => {
        for (const folder of made.splice(0)) {
            fs.rmSync(folder, { recursive: true, force: true });
        }
    });
    return (prefix) => {
        const folder = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
        made.push(folder);
        return folder;
    };
}

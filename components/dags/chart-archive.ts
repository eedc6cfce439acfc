import * as fs from "fs";
import * as path from "path";
import { Header, Parser, type ReadEntry } from "tar";
import * as zlib from "zlib";

/** One file of a chart archive: its path inside the archive and its bytes. */
export interface ArchiveFile {
    path: string;
    data: Buffer;
}

/**
 * A gzipped tar archive that depends only on the files given: entries sorted by path, every file
 * mode 0644, owner 0:0 without user and group names, mtime 0, no directory entries (as `helm
 * package` writes none), and a gzip header without a timestamp or file name. The same files give
 * the same bytes on every run and machine with the same Node.js zlib.
 */
export function deterministicTgz(files: ArchiveFile[]): Buffer {
    const seen = new Set<string>();
    const blocks: Buffer[] = [];
    for (const file of [...files].sort((a, b) =>
        a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
    )) {
        if (seen.has(file.path)) {
            throw new Error(`chart archive: ${file.path} is given twice`);
        }
        seen.add(file.path);
        const header = new Header({
            path: file.path,
            mode: 0o644,
            uid: 0,
            gid: 0,
            uname: "",
            gname: "",
            size: file.data.length,
            mtime: new Date(0),
            type: "File",
        });
        const block = Buffer.alloc(512);
        if (header.encode(block, 0)) {
            // A path longer than ustar holds needs a PAX header, which some readers mishandle.
            throw new Error(
                `chart archive: the path ${file.path} is too long for a ustar header (at most 100 characters after a 155-character folder)`,
            );
        }
        blocks.push(block, file.data, Buffer.alloc((512 - (file.data.length % 512)) % 512));
    }
    blocks.push(Buffer.alloc(1024));
    // Node's zlib writes mtime 0 and no file name in the gzip header.
    return zlib.gzipSync(Buffer.concat(blocks), { level: 9 });
}

/** The regular files of a gzipped tar archive, in archive order. */
export function readTgz(file: string): ArchiveFile[] {
    const files: ArchiveFile[] = [];
    const parser = new Parser({
        onReadEntry: (entry: ReadEntry) => {
            if (entry.type !== "File") {
                entry.resume();
                return;
            }
            const chunks: Buffer[] = [];
            entry.on("data", (chunk: Buffer) => chunks.push(chunk));
            entry.on("end", () => files.push({ path: entry.path, data: Buffer.concat(chunks) }));
        },
    });
    parser.end(zlib.gunzipSync(fs.readFileSync(file)));
    return files;
}

/**
 * The files of a chart folder, their paths under `prefix`, sorted: hidden files and folders (names
 * starting with `.`) are left out, and so is every path `skip` returns true for (relative, `/`).
 */
export function folderFiles(
    dir: string,
    prefix: string,
    skip: (relative: string) => boolean = () => false,
): ArchiveFile[] {
    const found: ArchiveFile[] = [];
    const walk = (relative: string): void => {
        const entries = fs
            .readdirSync(path.join(dir, relative), { withFileTypes: true })
            .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const entry of entries) {
            const child = relative === "" ? entry.name : `${relative}/${entry.name}`;
            if (entry.name.startsWith(".") || skip(child)) {
                continue;
            }
            if (entry.isDirectory()) {
                walk(child);
            } else if (entry.isFile()) {
                found.push({
                    path: `${prefix}/${child}`,
                    data: fs.readFileSync(path.join(dir, child)),
                });
            }
        }
    };
    walk("");
    return found;
}

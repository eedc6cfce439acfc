import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderStack } from "./render-stack";
import { readStackConfig, StackConfigError } from "./stack-config";

export interface RefRenderOptions {
    /** A git ref (`origin/main`, a tag, a commit) of the repository that holds `root`. */
    ref: string;
    /** The project folder (holding `Pulumi.yaml`), inside a git checkout. */
    root: string;
    stack: string;
    progress?: (line: string) => void;
}

/**
 * Renders a stack as it was at a git ref: checks the ref out in a temporary `git worktree` (removed
 * afterwards, also on failure), runs this render on the project there with this checkout's
 * `node_modules`, and returns the files. A stack that does not exist at the ref renders as no files,
 * so everything shows as added.
 */
export async function renderAtRef(options: RefRenderOptions): Promise<Record<string, string>> {
    const progress = options.progress ?? (() => undefined);
    const root = path.resolve(options.root);
    const git = (cwd: string, ...args: string[]) =>
        execFileSync("git", ["-C", cwd, ...args], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        }).trim();
    let top: string;
    let commit: string;
    try {
        top = git(root, "rev-parse", "--show-toplevel");
        commit = git(root, "rev-parse", "--verify", `${options.ref}^{commit}`);
    } catch (err) {
        throw new Error(
            `--diff-ref ${options.ref}: not a commit of the git repository at ${root} (${gitMessage(err)})`,
            { cause: err },
        );
    }
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), "render-ref-"));
    const tree = path.join(temp, "tree");
    progress(`checking out ${options.ref} (${commit.slice(0, 12)}) in a temporary worktree`);
    git(top, "worktree", "add", "--detach", tree, commit);
    const cwd = process.cwd();
    try {
        const refRoot = path.join(tree, path.relative(top, root));
        const modules = path.join(refRoot, "node_modules");
        if (!fs.existsSync(modules) && fs.existsSync(path.join(root, "node_modules"))) {
            fs.symlinkSync(path.join(root, "node_modules"), modules, "dir");
        }
        try {
            readStackConfig(refRoot, options.stack);
        } catch (err) {
            if (err instanceof StackConfigError && /^no stack /.test(err.message)) {
                progress(`stack ${options.stack} does not exist at ${options.ref}`);
                return {};
            }
            throw err;
        }
        // Build contexts and chart folders are read relative to the working directory, as under `pulumi`.
        process.chdir(refRoot);
        const result = await renderStack({ stack: options.stack, root: refRoot, progress });
        return result.files;
    } finally {
        process.chdir(cwd);
        const modules = path.join(tree, path.relative(top, root), "node_modules");
        if (fs.lstatSync(modules, { throwIfNoEntry: false })?.isSymbolicLink()) {
            fs.unlinkSync(modules);
        }
        git(top, "worktree", "remove", "--force", tree);
        fs.rmSync(temp, { recursive: true, force: true });
    }
}

function gitMessage(err: unknown): string {
    const stderr = (err as { stderr?: Buffer | string }).stderr;
    return String(stderr ?? (err as Error).message)
        .trim()
        .split("\n")[0];
}

import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

/** The stack configuration as `pulumi` would hand it to the program, secure values replaced. */
export interface StackConfig {
    project: string;
    /** The program file to run. */
    entry: string;
    /** Fully qualified keys (`pipeline-platform:platform`); objects as JSON text. */
    config: Record<string, string>;
    secretKeys: string[];
    /** The placeholder that stands for each secure value, by the config path it replaced. */
    placeholders: Record<string, string>;
}

/** Wrong or missing configuration; `path` names the config key or property when one is known. */
export class StackConfigError extends Error {
    constructor(
        message: string,
        readonly path?: string,
    ) {
        super(message);
        this.name = "StackConfigError";
    }
}

/** Reads `Pulumi.yaml` and the stack file the way the Pulumi CLI would, secure values replaced by placeholders. */
export function readStackConfig(
    root: string,
    stack: string,
    stackFileOverride?: string,
): StackConfig {
    const projectFile = path.join(root, "Pulumi.yaml");
    const project = parseYamlFile(projectFile) as ProjectFile | null | undefined;
    if (typeof project?.name !== "string") {
        throw new StackConfigError(`${projectFile}: no project name`);
    }
    const stackDir = path.join(root, project.stackConfigDir ?? ".");
    const stackFile = stackFileOverride ?? path.join(stackDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        const known = fs
            .readdirSync(stackDir)
            .flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? [])
            .sort();
        throw new StackConfigError(
            `no stack ${JSON.stringify(stack)}: ${stackFile} does not exist; stacks: ${known.join(", ") || "none"}`,
        );
    }
    const config: Record<string, string> = {};
    const secretKeys = new Set<string>();
    const placeholders: Record<string, string> = {};
    const qualify = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
    const set = (key: string, value: unknown) => {
        const qualified = qualify(key);
        const replaced = replaceSecure(value, qualified, placeholders);
        if (replaced.secret) {
            secretKeys.add(qualified);
        }
        const v = replaced.value;
        config[qualified] =
            v !== null && typeof v === "object" ? JSON.stringify(v) : String(v ?? "");
    };
    // Project-level config declarations supply defaults the stack file may override.
    for (const [key, declaration] of Object.entries<unknown>(project.config ?? {})) {
        const declared =
            declaration && typeof declaration === "object" && !Array.isArray(declaration)
                ? (declaration as { value?: unknown; default?: unknown })
                : undefined;
        const value = declared ? (declared.value ?? declared.default) : declaration;
        if (value !== undefined) {
            set(key, value);
        }
    }
    for (const [key, value] of Object.entries<unknown>(
        (parseYamlFile(stackFile) as { config?: Record<string, unknown> } | null | undefined)
            ?.config ?? {},
    )) {
        set(key, value);
    }
    return {
        project: project.name,
        entry: programEntry(root, project.main),
        config,
        secretKeys: [...secretKeys].sort(),
        placeholders,
    };
}

/** The parts of `Pulumi.yaml` a render reads. */
interface ProjectFile {
    name?: unknown;
    main?: string;
    stackConfigDir?: string;
    config?: Record<string, unknown>;
}

function parseYamlFile(file: string): unknown {
    try {
        return YAML.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new StackConfigError(`${file}: ${(err as Error).message}`);
    }
}

/** The file Pulumi runs: `main` (a file, or a folder's `index.ts`), default the project folder. */
function programEntry(root: string, main: string | undefined): string {
    const target = path.resolve(root, main ?? ".");
    return fs.existsSync(target) && fs.statSync(target).isDirectory()
        ? path.join(target, "index.ts")
        : target;
}

/** Replaces every `{ secure: … }` value with a placeholder naming its config path. */
function replaceSecure(
    value: unknown,
    keyPath: string,
    placeholders: Record<string, string>,
): { value: unknown; secret: boolean } {
    if (Array.isArray(value)) {
        const items = value.map((v, i) => replaceSecure(v, `${keyPath}[${i}]`, placeholders));
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (value && typeof value === "object") {
        const entries = Object.entries(value);
        if (entries.length === 1 && entries[0][0] === "secure") {
            const placeholder = `[secret:${keyPath}]`;
            placeholders[keyPath] = placeholder;
            return { value: placeholder, secret: true };
        }
        const replaced = entries.map(
            ([k, v]) => [k, replaceSecure(v, `${keyPath}.${k}`, placeholders)] as const,
        );
        return {
            value: Object.fromEntries(replaced.map(([k, r]) => [k, r.value])),
            secret: replaced.some(([, r]) => r.secret),
        };
    }
    // Nested scalars keep their JSON types, as in the config Pulumi hands a program.
    return { value, secret: false };
}

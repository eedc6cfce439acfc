import * as path from "path";
import { runProgram, type Registration } from "../../components/testing";
import { evaluateFresh } from "../support/program-file";

/** Runs `examples/<example>/index.ts` as `pulumi up` would: from its own folder, with the given stack config. */
export async function runExample(
    example: string,
    config: Record<string, string>,
    secretConfigKeys: string[],
) {
    const cwd = process.cwd();
    const dir = path.join(__dirname, "../../examples", example);
    process.chdir(dir);
    try {
        return await runProgram(() => ({ ...evaluateFresh(path.join(dir, "index.ts")) }), {
            project: example,
            stack: "dev",
            preview: false,
            config,
            secretConfigKeys,
        });
    } finally {
        process.chdir(cwd);
    }
}

/** The one registration of that type and name. */
export function named(registrations: Registration[], type: string, name: string): Registration {
    const found = registrations.filter((r) => r.type === type && r.name === name);
    expect(found).toHaveLength(1);
    return found[0];
}

/** `[type, name]` of the registrations whose type starts with `prefix`, sorted. */
export function typesAndNames(registrations: Registration[], prefix: string): string[][] {
    return registrations
        .filter((r) => r.type.startsWith(prefix))
        .map((r) => [r.type, r.name])
        .sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`));
}

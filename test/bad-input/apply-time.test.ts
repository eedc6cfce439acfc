import { spawn } from "child_process";
import * as path from "path";
import { APPLY_TIME_CASES } from "./programs/apply-time-cases";

const tsx = path.join(__dirname, "../../node_modules/.bin/tsx");
const program = path.join(__dirname, "programs/apply-time.ts");

/** The JSON line programs/apply-time.ts prints; the fields after `failed` are there when the run failed. */
interface Report {
    failed: boolean;
    inputError: boolean;
    path?: string;
    reason: string;
    registered: string[];
}

/** Runs one case in its own process and parses the JSON line it prints. */
function runCase(name: string): Promise<{ status: number | null; report: Report }> {
    return new Promise((resolve, reject) => {
        const child = spawn(tsx, [program, name], { stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.on("error", reject);
        child.on("close", (status) =>
            resolve({ status, report: JSON.parse(stdout.trim().split("\n").pop() ?? "null") }),
        );
    });
}

// Every case runs in its own child process (jest claims unhandled rejections in-process), at most
// four at a time: each compiles the package, and a dozen at once starve a loaded two-core machine.
const PARALLEL = 4;
let running = 0;
const waiting: Array<() => void> = [];
async function limited(name: string): ReturnType<typeof runCase> {
    if (running >= PARALLEL) {
        await new Promise<void>((resolve) => waiting.push(resolve));
    }
    running++;
    try {
        return await runCase(name);
    } finally {
        running--;
        waiting.shift()?.();
    }
}
const runs = new Map(APPLY_TIME_CASES.map((c) => [c.name, limited(c.name)] as const));

describe("bad inputs known only at deploy time (Outputs), checked inside apply", () => {
    test.each(APPLY_TIME_CASES.map((c) => [c.title, c] as const))(
        "%s",
        async (_title, c) => {
            const { status, report } = await runs.get(c.name)!;
            expect(status).toBe(3);
            expect(report.failed).toBe(true);
            expect(report.inputError).toBe(true);
            expect(report.path).toBe(c.path);
            const label = "label" in c ? c.label : "";
            expect(report.reason.startsWith(`${label}${c.path}: got `)).toBe(true);
            expect(report.reason).toContain(c.says);
            expect(report.reason).toContain(`, e.g. ${c.example}`);
            expect([...report.registered].sort()).toEqual([...c.registers].sort());
        },
        // Cases start four at a time in their own processes: on a loaded 2-core machine a case may
        // wait minutes for its turn, so the limit is that of the slowest, not of one case.
        600_000,
    );
});

import { spawn } from "child_process";
import * as path from "path";
import { APPLY_TIME_CASES } from "./programs/apply-time-cases";
import { nodeTs } from "../support/node-ts";

const program = path.join(__dirname, "programs/apply-time.ts");

/** A JSON line programs/apply-time.ts prints; the fields after `failed` are there when the run failed. */
interface Report {
    name: string;
    failed: boolean;
    inputError: boolean;
    path?: string;
    reason: string;
    registered: string[];
}

/** Runs every case in one child process, one after the other; the report of each by name. */
function runCases(): Promise<{ reports: Map<string, Report> }> {
    return new Promise((resolve, reject) => {
        const child = spawn(...nodeTs(program), { stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.on("error", reject);
        child.on("close", () => {
            const reports = stdout
                .split("\n")
                .filter((line) => line.startsWith("{"))
                .map((line) => JSON.parse(line) as Report);
            resolve({ reports: new Map(reports.map((r) => [r.name, r])) });
        });
    });
}

// One child process for every case: jest claims unhandled rejections in-process.
const runs = runCases();

describe("bad inputs known only at deploy time (Outputs), checked inside apply", () => {
    test.each(APPLY_TIME_CASES.map((c) => [c.title, c] as const))(
        "%s",
        async (_title, c) => {
            const { reports } = await runs;
            expect([...reports.keys()]).toContain(c.name);
            const report = reports.get(c.name)!;
            expect(report.failed).toBe(true);
            expect(report.inputError).toBe(true);
            expect(report.path).toBe(c.path);
            const label = "label" in c ? c.label : "";
            expect(report.reason.startsWith(`${label}${c.path}: got `)).toBe(true);
            expect(report.reason).toContain(c.says);
            expect(report.reason).toContain(`, e.g. ${c.example}`);
            expect([...report.registered].sort()).toEqual([...c.registers].sort());
        },
        // Every case runs in turn in one process: the limit is that of the whole process, which on a
        // loaded 2-core machine may take minutes.
        600_000,
    );
});

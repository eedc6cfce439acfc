import { spawn } from "child_process";
import * as path from "path";
import { exampleNames, stackNames } from "../support/names";
import { nodeTs } from "../support/node-ts";

const script = path.join(__dirname, "programs/evaluate.ts");

/**
 * Every program evaluated `passes` times in a row in a fresh process: program name -> canonical
 * registrations of the last pass.
 */
function evaluateInProcess(passes: number): Promise<Record<string, string[]>> {
    return new Promise((resolve, reject) => {
        const child = spawn(...nodeTs(script, String(passes)), {
            cwd: path.join(__dirname, "../.."),
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("error", reject);
        child.on("close", (status) => {
            try {
                resolve(
                    status === 0
                        ? JSON.parse(stdout)
                        : Promise.reject(new Error(`evaluate.ts exited with ${status}: ${stderr}`)),
                );
            } catch (err) {
                reject(err);
            }
        });
    });
}

describe("determinism: two evaluations in separate processes register byte-identical inputs", () => {
    // Both processes run at once; neither shares module state, caches or hostname claims with the
    // other. The second evaluates everything twice and reports its second pass, so what one run
    // leaves behind in a process (module state, claims) cannot change the next run either.
    const evaluations = Promise.all([evaluateInProcess(1), evaluateInProcess(2)]);

    test("every component program, example and stack registers the same set of resources with the same inputs", async () => {
        const [first, second] = await evaluations;
        expect(Object.keys(first)).toEqual(Object.keys(second));
        expect(Object.keys(first).filter((name) => name.startsWith("stack:"))).toEqual(
            stackNames().map((s) => `stack:${s}`),
        );
        expect(Object.keys(first).filter((name) => name.startsWith("example:"))).toEqual(
            exampleNames().map((e) => `example:${e}`),
        );
        for (const name of Object.keys(first)) {
            expect([name, first[name].length > 0]).toEqual([name, true]);
            expect([name, second[name].join("\n")]).toEqual([name, first[name].join("\n")]);
        }
    }, 180000);
});

import { spawn } from "child_process";
import * as path from "path";
import { canonicalRegistrations, type Registration } from "../../components/testing";
import { exampleNames, platformSubject, stackNames, twoExtensionPlatform } from "./subjects";

const tsx = path.join(__dirname, "../../node_modules/.bin/tsx");
const script = path.join(__dirname, "programs/evaluate.ts");

/**
 * Every program evaluated `passes` times in a row in a fresh process: program name -> canonical
 * registrations of the last pass.
 */
function evaluateInProcess(passes: number): Promise<Record<string, string[]>> {
    return new Promise((resolve, reject) => {
        const child = spawn(tsx, [script, String(passes)], {
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

/** The URNs of a registration's component ancestors, nearest first. */
function ancestors(registration: Registration, byUrn: Map<string, Registration>): Registration[] {
    const chain: Registration[] = [];
    for (
        let parent = registration.parent && byUrn.get(registration.parent);
        parent;
        parent = parent.parent ? byUrn.get(parent.parent) : undefined
    ) {
        chain.push(parent);
    }
    return chain;
}

describe("blast radius: changing one extension's version changes only that extension's resources", () => {
    test("every registration that differs belongs to the changed extension", async () => {
        const before = await platformSubject(
            "platform:two-extensions",
            twoExtensionPlatform("1.0.0"),
        ).run();
        const after = await platformSubject(
            "platform:two-extensions",
            twoExtensionPlatform("1.1.0"),
        ).run();
        const beforeLines = new Set(canonicalRegistrations(before.registrations));
        const afterLines = new Set(canonicalRegistrations(after.registrations));
        const changed = [
            ...before.registrations
                .filter((r) => !afterLines.has(canonicalRegistrations([r])[0]))
                .map((r) => ({ r, all: before.registrations })),
            ...after.registrations
                .filter((r) => !beforeLines.has(canonicalRegistrations([r])[0]))
                .map((r) => ({ r, all: after.registrations })),
        ];
        const outside = changed.filter(({ r, all }) => {
            const byUrn = new Map(all.map((x) => [x.urn, x]));
            const owner = [r, ...ancestors(r, byUrn)].find(
                (x) => x.type === "pipeline-platform:dags:WorkflowExtension",
            );
            return owner?.name !== "platform-extension-otsus-method-gpu";
        });
        expect(outside.map(({ r }) => `${r.type} ${r.name}`)).toEqual([]);
        // The change is visible: the extension's installer image, chart values and images ConfigMaps.
        expect(changed.length).toBeGreaterThan(0);
        expect(before.registrations.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
            after.registrations.map((r) => `${r.type} ${r.name}`).sort(),
        );
    }, 120000);
});

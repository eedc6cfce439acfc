import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

const root = path.join(__dirname, "../..");

/** A GitHub Actions workflow, as far as these tests read it. */
interface Workflow {
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    jobs: Record<string, Job>;
}

interface Job {
    needs?: string | string[];
    strategy?: { matrix?: { stack?: string[] } };
    steps: Step[];
}

interface Step {
    uses?: string;
    run?: string;
    /** The action's inputs, as written (strings, numbers, booleans). */
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}

/** The inputs of a `pulumi/actions` step these tests read by name. */
interface PulumiInputs {
    command: string;
    "stack-name": string;
    [input: string]: unknown;
}

function workflow(file: string): Workflow {
    return YAML.parse(fs.readFileSync(path.join(root, ".github/workflows", file), "utf8"));
}

/** Every step of every job that runs `pulumi/actions`. */
function pulumiSteps(
    parsed: Pick<Workflow, "jobs">,
): Array<{ job: string; with: PulumiInputs; env: Record<string, string> }> {
    return Object.entries(parsed.jobs).flatMap(([job, spec]) =>
        spec.steps
            .filter((s) => String(s.uses ?? "").startsWith("pulumi/actions@"))
            .map((s) => ({ job, with: s.with as PulumiInputs, env: s.env ?? {} })),
    );
}

/** The environment named by a `stack-name` (`<org>/pipeline-platform/<env>`), matrix values expanded. */
function stacksOf(parsed: Workflow): string[] {
    return Object.values(parsed.jobs).flatMap((spec) => {
        const matrix: string[] = spec.strategy?.matrix?.stack ?? [];
        return pulumiSteps({ jobs: { job: spec } }).flatMap((step) => {
            const name = /^\$\{\{ vars\.PULUMI_ORG \}\}\/pipeline-platform\/(.+)$/.exec(
                step.with["stack-name"],
            )?.[1];
            expect(name).toBeDefined();
            return name === "${{ matrix.stack }}" ? matrix : [name as string];
        });
    });
}

const existingStacks = fs
    .readdirSync(path.join(root, "stacks"))
    .flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? [])
    .sort();

describe("preview workflow", () => {
    const preview = workflow("preview.yml");

    test("runs on pull requests", () => {
        expect(Object.keys(preview.on)).toEqual(["pull_request"]);
    });

    test("previews every stack, and only stacks that exist", () => {
        expect(stacksOf(preview).sort()).toEqual(existingStacks);
    });

    test("comments the preview diff on the pull request", () => {
        expect(
            pulumiSteps(preview).map((s) => [s.with.command, s.with["comment-on-pr"], s.with.diff]),
        ).toEqual([["preview", true, true]]);
        expect(preview.permissions["pull-requests"]).toBe("write");
    });

    test("renders each stack offline before previewing it", () => {
        const runs = preview.jobs.preview.steps.map((s) => s.run).filter(Boolean);
        expect(runs).toContain("npm run render -- --stack ${{ matrix.stack }}");
    });
});

describe("up workflow", () => {
    const up = workflow("up.yml");

    test("runs on pushes to main", () => {
        expect(up.on).toEqual({ push: { branches: ["main"] } });
    });

    test("updates every stack, and only stacks that exist", () => {
        expect(stacksOf(up).sort()).toEqual(existingStacks);
        expect(pulumiSteps(up).map((s) => s.with.command)).toEqual(["up", "up", "up"]);
    });

    test("updates prod only after staging", () => {
        const jobOf = (stack: string) =>
            pulumiSteps(up).find((s) => s.with["stack-name"].endsWith(`/${stack}`))!.job;
        expect([up.jobs[jobOf("prod")].needs].flat()).toContain(jobOf("staging"));
    });
});

describe.each([["preview.yml"], ["up.yml"]])("%s", (file) => {
    const parsed = workflow(file);

    test("takes credentials from repository secrets, never from the file", () => {
        for (const step of pulumiSteps(parsed)) {
            expect(step.env.PULUMI_ACCESS_TOKEN).toBe("${{ secrets.PULUMI_ACCESS_TOKEN }}");
        }
        const withs = Object.values(parsed.jobs).flatMap((j) => j.steps.map((s) => s.with ?? {}));
        const credentials = withs.flatMap((w) =>
            Object.entries(w as Record<string, string>)
                .filter(([k]) => /key|credentials/.test(k))
                .map(([, v]) => v),
        );
        expect(credentials.length).toBeGreaterThan(0);
        expect(credentials.filter((v) => !/^\$\{\{ secrets\.[A-Z_]+ \}\}$/.test(v))).toEqual([]);
    });

    test("installs with npm ci on Node 20", () => {
        for (const job of Object.values(parsed.jobs)) {
            expect(
                job.steps.find((s) => String(s.uses).startsWith("actions/setup-node@"))!.with![
                    "node-version"
                ],
            ).toBe(20);
            expect(job.steps.map((s) => s.run)).toContain("npm ci");
        }
    });
});

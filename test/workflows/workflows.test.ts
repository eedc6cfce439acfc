import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

const root = path.join(__dirname, "../..");

/** A GitHub Actions workflow, as far as these tests read it. */
interface Workflow {
    name: string;
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    jobs: Record<string, Job>;
}

interface Job {
    if?: string;
    needs?: string | string[];
    strategy?: { matrix?: { stack?: string[] } };
    steps: Step[];
}

interface Step {
    id?: string;
    if?: string;
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

    test("previews only pull requests from this repository: a fork's gets no secrets", () => {
        expect(preview.jobs.preview.if).toBe(
            "github.event.pull_request.head.repo.full_name == github.repository",
        );
    });
});

describe("render diff workflow", () => {
    const diff = workflow("render-diff.yml");
    const job = diff.jobs["render-diff"];
    const text = fs.readFileSync(path.join(root, ".github/workflows/render-diff.yml"), "utf8");

    test("runs on every pull request, forks included, with a read-only token and no secret", () => {
        expect(Object.keys(diff.on)).toEqual(["pull_request"]);
        expect(diff.permissions).toEqual({ contents: "read" });
        expect(text).not.toMatch(/secrets\./);
        expect(job.steps.find((s) => String(s.uses).startsWith("actions/checkout@"))?.with).toEqual(
            { "fetch-depth": 0, "persist-credentials": false },
        );
    });

    test("compares every stack, and only stacks that exist, with the base branch", () => {
        expect([...(job.strategy?.matrix?.stack ?? [])].sort()).toEqual(existingStacks);
        const render = job.steps.find((s) => s.id === "diff") as Step;
        expect(render.run).toContain(
            'npm run --silent render -- --stack "$STACK" --diff-ref "origin/$BASE_REF" --report "render-diff-$STACK.md"',
        );
        expect(render.env).toEqual({
            BASE_REF: "${{ github.base_ref }}",
            STACK: "${{ matrix.stack }}",
        });
    });

    test("passes event values to scripts through the environment, never into the script text", () => {
        for (const file of [
            "render-diff.yml",
            "render-diff-comment.yml",
            "preview.yml",
            "up.yml",
        ]) {
            const runs = Object.values(workflow(file).jobs).flatMap((j) =>
                j.steps.flatMap((s) => (s.run === undefined ? [] : [s.run])),
            );
            expect(
                runs.filter((r) => /\$\{\{\s*github\.(event|base_ref|head_ref)/.test(r)),
            ).toEqual([]);
        }
    });

    test("uploads each stack's report with the pull request's number, and fails on danger or a broken render", () => {
        const upload = job.steps.find((s) => String(s.uses).startsWith("actions/upload-artifact@"));
        expect(upload?.with).toMatchObject({
            name: "render-diff-${{ matrix.stack }}",
            path: "render-diff-${{ matrix.stack }}.md\npr-number.txt\n",
        });
        const last = job.steps[job.steps.length - 1];
        expect([last.if, last.run?.trim().split("\n").at(-1)]).toEqual([
            "steps.diff.outputs.code != '0'",
            "exit 1",
        ]);
    });

    test("installs with npm ci on Node 24 LTS, the Node the tests run on", () => {
        expect(
            job.steps.find((s) => String(s.uses).startsWith("actions/setup-node@"))?.with?.[
                "node-version"
            ],
        ).toBe(24);
        expect(job.steps.map((s) => s.run)).toContain("npm ci");
    });
});

describe("render diff comment workflow", () => {
    const comment = workflow("render-diff-comment.yml");
    const steps = Object.values(comment.jobs).flatMap((j) => j.steps);

    test("runs when the render diff workflow completes, for pull requests", () => {
        expect(comment.on).toEqual({
            workflow_run: { workflows: [workflow("render-diff.yml").name], types: ["completed"] },
        });
        expect(comment.jobs.comment.if).toContain(
            "github.event.workflow_run.event == 'pull_request'",
        );
    });

    test("may comment and read artifacts, nothing else", () => {
        expect(comment.permissions).toEqual({ actions: "read", "pull-requests": "write" });
    });

    test("never checks out or runs the pull request's code: it downloads the reports and posts them", () => {
        expect(steps.map((s) => String(s.uses).replace(/@.*/, ""))).toEqual([
            "actions/download-artifact",
            "actions/github-script",
        ]);
        expect(steps.filter((s) => s.run !== undefined)).toEqual([]);
        expect(steps[0].with).toMatchObject({
            "run-id": "${{ github.event.workflow_run.id }}",
            pattern: "render-diff-*",
        });
    });

    test("comments only on the pull request whose head commit was rendered, named by digits", () => {
        const script = String(steps[1].with?.script);
        expect(script).toContain("/^[0-9]{1,10}$/.test(number)");
        expect(script).toContain("pull.head.sha !== run.head_sha");
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

    test("installs with npm ci on Node 24 LTS, the Node the tests run on", () => {
        for (const job of Object.values(parsed.jobs)) {
            expect(
                job.steps.find((s) => String(s.uses).startsWith("actions/setup-node@"))!.with![
                    "node-version"
                ],
            ).toBe(24);
            expect(job.steps.map((s) => s.run)).toContain("npm ci");
        }
    });
});

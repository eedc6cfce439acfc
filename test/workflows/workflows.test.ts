import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

const root = path.join(__dirname, "../..");

/** The actions the workflows use, at the releases they are pinned to (see the fixture's `source`). */
const ACTIONS: Record<
    string,
    {
        tag: string;
        commit: string;
        inputs: string[];
        flags: { preview: Record<string, string>; up: Record<string, string> };
    }
> = JSON.parse(
    fs.readFileSync(path.join(root, "test/fixtures/github-actions/actions.json"), "utf8"),
).actions;

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
    environment?: string;
    permissions?: Record<string, string>;
    strategy?: { matrix?: { stack?: string[] } };
    steps: Step[];
}

interface Step {
    id?: string;
    name?: string;
    if?: string;
    "continue-on-error"?: boolean;
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

/** Every workflow file of the repository. */
const WORKFLOW_FILES = fs
    .readdirSync(path.join(root, ".github/workflows"))
    .filter((f) => f.endsWith(".yml"))
    .sort();

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
        expect(preview.jobs.preview.permissions?.["pull-requests"]).toBe("write");
    });

    test("runs the policy pack, built, with the stack's pack config", () => {
        const steps = preview.jobs.preview.steps;
        expect(
            pulumiSteps(preview).map((s) => [s.with.policyPacks, s.with.policyPackConfigs]),
        ).toEqual([["dist/policy-pack", "stacks/policy.${{ matrix.stack }}.json"]]);
        const build = steps.findIndex((s) => s.run === "npm run build");
        const pulumi = steps.findIndex((s) => String(s.uses).startsWith("pulumi/actions@"));
        expect(build).toBeGreaterThan(-1);
        expect(build).toBeLessThan(pulumi);
        for (const stack of existingStacks) {
            expect(fs.existsSync(path.join(root, `stacks/policy.${stack}.json`))).toBe(true);
        }
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
        for (const file of WORKFLOW_FILES) {
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
    const step = (job: string, command: string) =>
        pulumiSteps({ jobs: { [job]: up.jobs[job] } }).find((s) => s.with.command === command)!;

    test("runs on pushes to main", () => {
        expect(up.on).toEqual({ push: { branches: ["main"] } });
    });

    test("previews then updates every stack, and only stacks that exist", () => {
        expect(stacksOf(up).sort()).toEqual(existingStacks.flatMap((s) => [s, s]).sort());
        expect(Object.keys(up.jobs).sort()).toEqual(
            existingStacks.flatMap((s) => [`preview-${s}`, `up-${s}`]).sort(),
        );
    });

    test.each(["dev", "staging", "prod"])(
        "%s: up applies the update plan its reviewed preview saved, in the stack's environment",
        (stack) => {
            const preview = step(`preview-${stack}`, "preview");
            const apply = step(`up-${stack}`, "up");
            // The action hands `plan` to the CLI as --save-plan on preview and --plan on up.
            expect([
                ACTIONS["pulumi/actions"].flags.preview.plan,
                ACTIONS["pulumi/actions"].flags.up.plan,
            ]).toEqual(["--save-plan", "--plan"]);
            expect([preview.with.plan, apply.with.plan]).toEqual([
                `plan-${stack}.json`,
                `plan-${stack}.json`,
            ]);
            const upload = up.jobs[`preview-${stack}`].steps.find((s) =>
                String(s.uses).startsWith("actions/upload-artifact@"),
            );
            expect(upload?.with).toMatchObject({
                name: `plan-${stack}`,
                path: `plan-${stack}.json`,
            });
            const download = up.jobs[`up-${stack}`].steps.find((s) =>
                String(s.uses).startsWith("actions/download-artifact@"),
            );
            expect(download?.with).toEqual({ name: `plan-${stack}` });
            expect(up.jobs[`up-${stack}`].needs).toBe(`preview-${stack}`);
            expect(up.jobs[`up-${stack}`].environment).toBe(
                stack === "prod" ? "production" : stack,
            );
            expect(up.jobs[`preview-${stack}`].environment).toBeUndefined();
            for (const s of [preview, apply]) {
                expect([s.with.policyPacks, s.with.policyPackConfigs]).toEqual([
                    "dist/policy-pack",
                    `stacks/policy.${stack}.json`,
                ]);
            }
        },
    );

    test("previews prod only after staging's update", () => {
        expect([up.jobs["preview-prod"].needs].flat()).toEqual(["up-staging"]);
    });

    test("previews take the read-only identity, updates the deploy one", () => {
        const identity = (job: string) =>
            up.jobs[job].steps
                .map((s) => s.with?.["role-to-assume"] ?? s.with?.service_account)
                .filter(Boolean);
        expect(
            ["staging", "prod"].map((s) => [identity(`preview-${s}`), identity(`up-${s}`)]),
        ).toEqual([
            [["${{ vars.AWS_PREVIEW_ROLE_ARN }}"], ["${{ vars.AWS_DEPLOY_ROLE_ARN }}"]],
            [
                ["${{ vars.GCP_PREVIEW_SERVICE_ACCOUNT }}"],
                ["${{ vars.GCP_DEPLOY_SERVICE_ACCOUNT }}"],
            ],
        ]);
    });
});

describe("drift workflow", () => {
    const drift = workflow("drift.yml");
    const job = drift.jobs.drift;

    test("runs on a schedule and on demand", () => {
        expect(drift.on).toEqual({ schedule: [{ cron: "17 5 * * *" }], workflow_dispatch: null });
    });

    test("previews every stack with refresh, expecting no changes, and records the outcome whatever it is", () => {
        expect([...(job.strategy?.matrix?.stack ?? [])].sort()).toEqual(existingStacks);
        const preview = job.steps.find((s) => s.id === "preview")!;
        expect(preview.with).toEqual({
            command: "preview",
            "stack-name": "${{ vars.PULUMI_ORG }}/pipeline-platform/${{ matrix.stack }}",
            refresh: true,
            "expect-no-changes": true,
        });
        expect(ACTIONS["pulumi/actions"].flags.preview).toMatchObject({
            refresh: "--refresh",
            "expect-no-changes": "--expect-no-changes",
        });
        expect(preview["continue-on-error"]).toBe(true);
        const after = job.steps.slice(job.steps.indexOf(preview) + 1);
        expect(after.map((s) => s.if)).toEqual(["always()", "always()"]);
        expect(after[0].env).toEqual({
            OUTCOME: "${{ steps.preview.outcome }}",
            STACK: "${{ matrix.stack }}",
        });
    });

    test("opens an issue per drifted stack, or comments on the open one, from a job without cloud access", () => {
        const report = drift.jobs.report;
        expect([report.needs, report.if, report.permissions]).toEqual([
            "drift",
            "always()",
            { issues: "write" },
        ]);
        expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
        const script = String(report.steps.at(-1)?.with?.script);
        expect(script).toContain("const title = `Drift: stack ${stack}`;");
        expect(script).toContain('if (stack === undefined || outcome === "success")');
        expect(script).toContain(
            "github.rest.issues.createComment({ ...context.repo, issue_number: earlier.number, body })",
        );
        expect(script).toContain(
            'github.rest.issues.create({ ...context.repo, title, body, labels: ["drift"] })',
        );
    });
});

describe.each(WORKFLOW_FILES.map((f) => [f]))("%s", (file) => {
    const parsed = workflow(file);
    const text = fs.readFileSync(path.join(root, ".github/workflows", file), "utf8");
    const steps = Object.values(parsed.jobs).flatMap((j) => j.steps);

    test("holds no long-lived cloud credential: no access key, no service-account key", () => {
        expect(
            text.match(
                /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|aws-secret-access-key|credentials_json|GCP_CREDENTIALS|GOOGLE_APPLICATION_CREDENTIALS|_KEY_JSON/gi,
            ),
        ).toBeNull();
    });

    test("logs in to AWS and GCP by OIDC federation, with identities from repository variables", () => {
        for (const step of steps) {
            if (String(step.uses).startsWith("aws-actions/configure-aws-credentials@")) {
                expect(Object.keys(step.with ?? {}).sort()).toEqual([
                    "aws-region",
                    "role-session-name",
                    "role-to-assume",
                ]);
                expect(step.with?.["role-to-assume"]).toMatch(
                    /^\$\{\{ vars\.AWS_[A-Z]+_ROLE_ARN \}\}$/,
                );
            }
            if (String(step.uses).startsWith("google-github-actions/auth@")) {
                expect(step.with).toEqual({
                    workload_identity_provider: "${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}",
                    service_account: expect.stringMatching(
                        /^\$\{\{ vars\.GCP_[A-Z]+_SERVICE_ACCOUNT \}\}$/,
                    ),
                });
            }
        }
    });

    test("grants id-token: write only to the jobs that log in to a cloud, never to the whole workflow", () => {
        expect(parsed.permissions["id-token"]).toBeUndefined();
        for (const [name, job] of Object.entries(parsed.jobs)) {
            const logsIn = job.steps.some((s) =>
                /^(aws-actions\/configure-aws-credentials|google-github-actions\/auth)@/.test(
                    String(s.uses),
                ),
            );
            expect([name, job.permissions?.["id-token"]]).toEqual([
                name,
                logsIn ? "write" : undefined,
            ]);
        }
    });

    test("takes the Pulumi token from a repository secret", () => {
        for (const step of pulumiSteps(parsed)) {
            expect(step.env.PULUMI_ACCESS_TOKEN).toBe("${{ secrets.PULUMI_ACCESS_TOKEN }}");
        }
    });

    test("pins every action to the commit of a recorded release, and passes only inputs that release has", () => {
        const uses = text.match(/^\s*(?:- )?uses: .*$/gm) ?? [];
        expect(uses.length).toBe(steps.filter((s) => s.uses !== undefined).length);
        for (const line of uses) {
            const [, action, commit, tag] =
                /uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v[0-9.]+)$/.exec(line) ?? [];
            expect([line, ACTIONS[action]?.commit, ACTIONS[action]?.tag]).toEqual([
                line,
                commit,
                tag,
            ]);
        }
        for (const step of steps.filter((s) => s.uses !== undefined)) {
            const action = String(step.uses).replace(/@.*/, "");
            expect(
                Object.keys(step.with ?? {}).filter(
                    (input) => !ACTIONS[action].inputs.includes(input),
                ),
            ).toEqual([]);
        }
    });

    test("installs with npm ci on Node 24, the package's Node", () => {
        for (const job of Object.values(parsed.jobs)) {
            const setup = job.steps.find((s) => String(s.uses).startsWith("actions/setup-node@"));
            if (setup) {
                expect(setup.with?.["node-version"]).toBe(24);
                expect(job.steps.map((s) => s.run)).toContain("npm ci");
            }
        }
    });
});

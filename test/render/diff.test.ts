import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cli } from "../../bin/render/cli";
import {
    diffMarkdown,
    diffRenders,
    diffText,
    readRender,
    type RenderDiff,
} from "../../bin/render/diff";

const pairs = path.join(__dirname, "fixtures/diff");
const repoRoot = path.join(__dirname, "../..");
const mini = path.join(__dirname, "fixtures/mini");

const PVC = "PersistentVolumeClaim pipeline-services/platform-airflow-dags";
const FERNET = "Secret pipeline-services/platform-airflow-fernet-key";
const BUCKET = "gcp:storage/bucket:Bucket platform-storage-default-bucket";
const BYTES = "random:index/randomBytes:RandomBytes platform-airflow-fernet-key-bytes";
const CONFIGMAP = "manifests/pipeline-services/configmap.koalja-s3-storage-config.yaml";

function pair(name: string): RenderDiff {
    return diffRenders(
        readRender(path.join(pairs, name, "before")),
        readRender(path.join(pairs, name, "after")),
    );
}

describe("render diff of the fixture pairs", () => {
    test("a renamed bucket is replaced: in the danger list", () => {
        expect(pair("bucket-renamed")).toEqual({
            added: [],
            removed: [],
            changed: [
                {
                    file: CONFIGMAP,
                    changes: [
                        {
                            path: "data.default",
                            before: "name: pipeline-platform-prod-data\nendpoint: https://storage.googleapis.com\nsecretName: koalja-s3-default-secrets\nsecure: true\n",
                            after: "name: pipeline-platform-prod-archive\nendpoint: https://storage.googleapis.com\nsecretName: koalja-s3-default-secrets\nsecure: true\n",
                        },
                    ],
                },
                {
                    file: "resources/gcp_storage_bucket_Bucket.platform-storage-default-bucket.yaml",
                    changes: [
                        {
                            path: "inputs.name",
                            before: "pipeline-platform-prod-data",
                            after: "pipeline-platform-prod-archive",
                        },
                    ],
                },
            ],
            danger: [
                {
                    object: BUCKET,
                    kind: "gcs-bucket",
                    reason: `replaced: name "pipeline-platform-prod-data" → "pipeline-platform-prod-archive" forces replacement, so Pulumi creates a new one and deletes this one (protect makes that update fail until it is unprotected); it holds the pipelines' objects (data and task logs) in the Cloud Storage bucket.`,
                },
            ],
        });
    });

    test("a new storage class of the DAG claim replaces it: in the danger list", () => {
        expect(pair("claim-storage-class")).toEqual({
            added: [],
            removed: [],
            changed: [
                {
                    file: "manifests/pipeline-services/persistentvolumeclaim.platform-airflow-dags.yaml",
                    changes: [
                        {
                            path: "spec.storageClassName",
                            before: "standard-rwx",
                            after: "premium-rwx",
                        },
                    ],
                },
            ],
            danger: [
                {
                    object: PVC,
                    kind: "volume-claim",
                    reason: `replaced: spec.storageClassName "standard-rwx" → "premium-rwx" forces replacement, so Pulumi creates a new one and deletes this one (protect makes that update fail until it is unprotected); it holds the files on its volume (the platform's DAG claim holds every installed DAG).`,
                },
            ],
        });
    });

    test("a replaced fernet key source is in the danger list twice: the old bytes go, the Secret loses their key", () => {
        expect(pair("fernet-key-source")).toEqual({
            added: [
                "resources/random_index_randomBytes_RandomBytes.platform-airflow-fernet-key-bytes-regenerated.yaml",
            ],
            removed: [
                "resources/random_index_randomBytes_RandomBytes.platform-airflow-fernet-key-bytes.yaml",
            ],
            changed: [
                {
                    file: "manifests/pipeline-services/secret.platform-airflow-fernet-key.yaml",
                    changes: [
                        {
                            path: "stringData.fernet-key",
                            before: "<redacted from RandomBytes platform-airflow-fernet-key-bytes>",
                            after: "<redacted from RandomBytes platform-airflow-fernet-key-bytes-regenerated>",
                        },
                    ],
                },
            ],
            danger: [
                {
                    object: FERNET,
                    kind: "fernet-key",
                    reason: `loses a key: stringData.fernet-key no longer holds RandomBytes platform-airflow-fernet-key-bytes; what that key encrypted in Airflow's database cannot be read. Rotate instead (README "Rotating the fernet key"): new keys are prepended, the old ones stay.`,
                },
                {
                    object: BYTES,
                    kind: "fernet-key-source",
                    reason: `renamed: ${BYTES}-regenerated takes its place under another URN (platform-airflow-fernet-key-bytes → platform-airflow-fernet-key-bytes-regenerated), so Pulumi creates a new one and deletes this one (protect makes that update fail until it is unprotected); it holds the bytes of one Airflow fernet key: new bytes are a new key, and what the old one encrypted cannot be read. If it is the same resource, keep its URN with \`aliases: [{ name: "platform-airflow-fernet-key-bytes" }]\` (README "Data safety").`,
                },
            ],
        });
    });

    test("an unrelated label change is a change, outside the danger list", () => {
        expect(pair("label-change")).toEqual({
            added: [],
            removed: [],
            changed: [
                { file: CONFIGMAP, changes: [{ path: "metadata.labels.team", after: "imaging" }] },
            ],
            danger: [],
        });
    });
});

/** A render of the fixture pair's `before/` with some files replaced (a value of `undefined` removes the file). */
function variant(changes: Record<string, string | undefined>): Record<string, string> {
    const render = readRender(path.join(pairs, "label-change/before"));
    for (const [file, text] of Object.entries(changes)) {
        if (text === undefined) {
            delete render[file];
        } else {
            render[file] = text;
        }
    }
    return render;
}

function edited(file: string, from: string, to: string): Record<string, string> {
    const text = readRender(path.join(pairs, "label-change/before"))[file];
    expect(text).toContain(from);
    return { [file]: text.replace(from, to) };
}

const CLAIM_FILE = "manifests/pipeline-services/persistentvolumeclaim.platform-airflow-dags.yaml";
const SECRET_FILE = "manifests/pipeline-services/secret.platform-airflow-fernet-key.yaml";

describe("the danger list", () => {
    const before = variant({});
    const dangers = (after: Record<string, string>) =>
        diffRenders(before, after).danger.map((d) => `${d.object}: ${d.reason.split(";")[0]}`);

    test.each<[string, Record<string, string | undefined>, string[]]>([
        [
            "a claim that shrinks",
            edited(CLAIM_FILE, "storage: 10Gi", "storage: 5Gi"),
            [`${PVC}: shrinks: spec.resources.requests.storage 10Gi → 5Gi`],
        ],
        ["a claim that grows", edited(CLAIM_FILE, "storage: 10Gi", "storage: 20Gi"), []],
        [
            "new access modes of a claim",
            edited(CLAIM_FILE, "- ReadWriteMany", "- ReadWriteOnce"),
            [
                `${PVC}: replaced: spec.accessModes ["ReadWriteMany"] → ["ReadWriteOnce"] forces replacement, so Pulumi creates a new one and deletes this one (protect makes that update fail until it is unprotected)`,
            ],
        ],
        [
            "a claim moved to another namespace",
            {
                ...edited(CLAIM_FILE, "namespace: pipeline-services", "namespace: airflow"),
                "data-safety.yaml": before["data-safety.yaml"].replace(
                    PVC,
                    "PersistentVolumeClaim airflow/platform-airflow-dags",
                ),
            },
            [
                `PersistentVolumeClaim airflow/platform-airflow-dags: replaced: metadata.namespace "pipeline-services" → "airflow" forces replacement, so Pulumi creates a new one and deletes this one (protect makes that update fail until it is unprotected)`,
            ],
        ],
        [
            "a new Secret type of the fernet key",
            edited(SECRET_FILE, "type: Opaque", "type: kubernetes.io/basic-auth"),
            [
                `${FERNET}: replaced: type "Opaque" → "kubernetes.io/basic-auth" forces replacement, so Pulumi creates a new one and deletes this one (protect makes that update fail until it is unprotected)`,
            ],
        ],
        [
            "a removed bucket",
            {
                "resources/gcp_storage_bucket_Bucket.platform-storage-default-bucket.yaml":
                    undefined,
                "data-safety.yaml": before["data-safety.yaml"].replace(
                    /- object: gcp:storage\/bucket:Bucket[^]*?file: [^\n]*\n/,
                    "",
                ),
            },
            [
                `${BUCKET}: removed: Pulumi deletes it (protect makes that update fail until it is unprotected)`,
            ],
        ],
        [
            "a claim no longer protected",
            {
                "data-safety.yaml": before["data-safety.yaml"].replace(
                    /(object: PersistentVolumeClaim[^]*?)protect: true/,
                    "$1protect: false",
                ),
            },
            [`${PVC}: loses protect: Pulumi will delete or replace it without refusing`],
        ],
        [
            "a fernet key rotation (a new key in front)",
            edited(
                SECRET_FILE,
                "<redacted from RandomBytes platform-airflow-fernet-key-bytes>",
                "<redacted from RandomBytes platform-airflow-fernet-key-bytes-2025-06, RandomBytes platform-airflow-fernet-key-bytes>",
            ),
            [],
        ],
    ])("%s", (_case, changes, expected) => {
        expect(dangers(variant(changes))).toEqual(expected);
    });

    test("a Job whose pod template changes under the same name", () => {
        const job = (image: string) =>
            `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  namespace: airflow\nspec:\n  template:\n    spec:\n      containers:\n        - image: ${image}\n          name: migrate\n`;
        const file = "manifests/airflow/job.migrate.yaml";
        expect(
            diffRenders(
                variant({ [file]: job("migrate:1.0.0") }),
                variant({ [file]: job("migrate:1.1.0") }),
            ).danger,
        ).toEqual([
            {
                object: "Job airflow/migrate",
                reason: "replaced: a Job's pod template is immutable, so the Job is deleted and run again under the same name; put a version in its name so each template is a Job of its own.",
            },
        ]);
    });
});

test("compares the files views are made of, not the views (tree, cold-start order)", () => {
    const before = variant({ "order.txt": "1  Namespace a\n", "tree.txt": "x\n" });
    const after = variant({ "order.txt": "1  Namespace a\n2  Namespace b\n", "tree.txt": "y\n" });
    expect(diffRenders(before, after)).toEqual({ added: [], removed: [], changed: [], danger: [] });
});

describe("diffText and diffMarkdown", () => {
    test("print the danger list first, then files added, removed and changed with their field paths", () => {
        expect(
            diffText(
                pair("claim-storage-class"),
                "render diff of stack prod: main → this checkout",
            ),
        ).toBe(
            [
                "render diff of stack prod: main → this checkout",
                "  0 added, 0 removed, 1 changed, 1 in the danger list",
                "",
                "danger (1):",
                `  ! ${PVC} [volume-claim]: replaced: spec.storageClassName "standard-rwx" → "premium-rwx" forces replacement, so Pulumi creates a new one and deletes this one (protect makes that update fail until it is unprotected); it holds the files on its volume (the platform's DAG claim holds every installed DAG).`,
                "",
                "changed (1):",
                "  ~ manifests/pipeline-services/persistentvolumeclaim.platform-airflow-dags.yaml",
                '      spec.storageClassName: "standard-rwx" → "premium-rwx"',
                "",
            ].join("\n"),
        );
    });

    test("a pull-request comment says there is no danger, and folds the changes", () => {
        expect(diffMarkdown(pair("label-change"), "render diff of stack prod")).toBe(
            [
                "### render diff of stack prod",
                "",
                "0 added, 0 removed, 1 changed, 0 in the danger list",
                "",
                "No danger: nothing that holds data is removed, renamed or replaced.",
                "",
                "<details><summary>Every change</summary>",
                "",
                "```text",
                "changed (1):",
                `  ~ ${CONFIGMAP}`,
                '      metadata.labels.team: (absent) → "imaging"',
                "```",
                "",
                "</details>",
                "",
            ].join("\n"),
        );
    });
});

describe("render --diff", () => {
    let dir: string;
    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-diff-"));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Runs the command; returns its exit code, standard output and the last line of standard error. */
    async function run(...args: string[]) {
        const stdout: string[] = [];
        const stderr: string[] = [];
        const code = await cli(["render", ...args], {
            log: (text) => stdout.push(text),
            error: (text) => stderr.push(text),
        });
        return { code, stdout: stdout.join("\n"), stderr: stderr.at(-1) };
    }

    /** The prod stack file with each `[from, to]` replaced, written to a file of its own. */
    function stackFile(name: string, ...changes: Array<[string, string]>): string {
        let text = fs.readFileSync(path.join(repoRoot, "stacks/Pulumi.prod.yaml"), "utf8");
        for (const [from, to] of changes) {
            expect(text).toContain(from);
            text = text.replace(from, to);
        }
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        return file;
    }

    test("exits 3 and lists the DAG claim when a stack change replaces it, and writes the Markdown report", async () => {
        const base = path.join(dir, "base");
        expect((await run("--stack", "prod", "--root", repoRoot, "--out", base)).code).toBe(0);
        const report = path.join(dir, "report.md");
        const result = await run(
            "--stack",
            "prod",
            "--root",
            repoRoot,
            "--out",
            path.join(dir, "head"),
            "--stack-file",
            stackFile(
                "class.yaml",
                ["storageClassName: standard-rwx", "storageClassName: premium-rwx"],
                ["storageClasses: [standard-rwx]", "storageClasses: [standard-rwx, premium-rwx]"],
            ),
            "--diff",
            base,
            "--report",
            report,
        );
        expect(result.code).toBe(3);
        expect(result.stderr).toBe("render: 1 change(s) in the danger list of stack prod");
        expect(result.stdout.split("\n").slice(0, 5)).toEqual([
            `render diff of stack prod: ${base} → this checkout`,
            "  0 added, 0 removed, 2 changed, 1 in the danger list",
            "",
            "danger (1):",
            `  ! ${PVC} [volume-claim]: replaced: spec.storageClassName "standard-rwx" → "premium-rwx" forces replacement, so Pulumi creates a new one and deletes this one (protect makes that update fail until it is unprotected); it holds the files on its volume (the platform's DAG claim holds every installed DAG).`,
        ]);
        expect(fs.readFileSync(report, "utf8")).toContain(`**Danger (1)**`);
    });

    test("exits 0 when only a label changes", async () => {
        const base = path.join(dir, "base-labels");
        await run("--stack", "prod", "--root", repoRoot, "--out", base);
        const result = await run(
            "--stack",
            "prod",
            "--root",
            repoRoot,
            "--out",
            path.join(dir, "head-labels"),
            "--stack-file",
            stackFile("labels.yaml", ["team: analytics", "team: analytics-2"]),
            "--diff",
            base,
        );
        expect(result.code).toBe(0);
        expect(result.stdout).toBe(
            [
                `render diff of stack prod: ${base} → this checkout`,
                "  0 added, 0 removed, 1 changed, 0 in the danger list",
                "",
                "changed (1):",
                "  ~ manifests/_cluster/namespace.analytics.yaml",
                '      metadata.labels.team: "analytics" → "analytics-2"',
                "",
            ].join("\n"),
        );
    });

    test("shows a secret as changed only when its source changes, never for a new value", async () => {
        const base = path.join(dir, "base-mini");
        await run("--stack", "dev", "--root", mini, "--out", base);
        const devFile = fs.readFileSync(path.join(mini, "stacks/Pulumi.dev.yaml"), "utf8");
        const newCiphertext = path.join(dir, "Pulumi.ciphertext.yaml");
        fs.writeFileSync(
            newCiphertext,
            devFile.replace(/secure: v1:[^\n]*/, "secure: v1:another-ciphertext"),
        );
        expect(devFile).not.toBe(fs.readFileSync(newCiphertext, "utf8"));
        const sameSource = await run(
            "--stack",
            "dev",
            "--root",
            mini,
            "--out",
            path.join(dir, "mini-1"),
            "--stack-file",
            newCiphertext,
            "--diff",
            base,
        );
        expect([sameSource.code, sameSource.stdout.split("\n")[1]]).toEqual([
            0,
            "  0 added, 0 removed, 0 changed, 0 in the danger list",
        ]);
    });

    test.each([
        [["--diff", "a", "--diff-ref", "main"], "--diff and --diff-ref exclude each other"],
        [["--report", "r.md"], "--report needs --diff or --diff-ref"],
    ])("refuses %j with exit code 2", async (args, message) => {
        const result = await cli(["render", "--stack", "dev", ...args], {
            log: () => undefined,
            error: () => undefined,
        });
        expect(result).toBe(2);
        const stderr: string[] = [];
        await cli(["render", "--stack", "dev", ...args], {
            log: () => undefined,
            error: (text) => stderr.push(text),
        });
        expect(stderr[0].split("\n")[0]).toBe(message);
    });

    test("refuses a folder that holds no render", async () => {
        const result = await run(
            "--stack",
            "dev",
            "--root",
            mini,
            "--out",
            path.join(dir, "x"),
            "--diff",
            dir,
        );
        expect(result).toMatchObject({
            code: 2,
            stderr: `render: stack dev failed: ${dir} is not a render output folder (it has no tree.txt)`,
        });
    });
});

describe("render --diff-ref", () => {
    let repo: string;
    const git = (...args: string[]) =>
        execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", stdio: "pipe" }).trim();

    beforeAll(() => {
        // A project of its own in a fresh repository: its program uses the SDKs of this checkout.
        repo = fs.mkdtempSync(path.join(os.tmpdir(), "render-ref-repo-"));
        fs.mkdirSync(path.join(repo, "stacks"));
        fs.writeFileSync(
            path.join(repo, "Pulumi.yaml"),
            "name: refs\nruntime: nodejs\nmain: index.ts\nstackConfigDir: stacks\n",
        );
        fs.writeFileSync(path.join(repo, ".gitignore"), "node_modules\nout\n");
        fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(repo, "node_modules"), "dir");
        fs.writeFileSync(
            path.join(repo, "index.ts"),
            [
                'import * as pulumi from "@pulumi/pulumi";',
                'import * as k8s from "@pulumi/kubernetes";',
                "export = () => {",
                "    const config = new pulumi.Config();",
                '    new k8s.core.v1.PersistentVolumeClaim("data", {',
                '        metadata: { name: "data", namespace: "jobs", labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "pipeline-platform", "app.kubernetes.io/component": "jobs" } },',
                '        spec: { accessModes: ["ReadWriteOnce"], storageClassName: config.require("storageClass"), resources: { requests: { storage: "1Gi" } } },',
                "    }, { retainOnDelete: true });",
                "    return {};",
                "};",
                "",
            ].join("\n"),
        );
        const stack = (storageClass: string) =>
            fs.writeFileSync(
                path.join(repo, "stacks/Pulumi.dev.yaml"),
                [
                    "config:",
                    `    refs:storageClass: ${storageClass}`,
                    "    refs:prerequisites:",
                    "        namespaces: [jobs]",
                    `        storageClasses: [${storageClass}]`,
                    "",
                ].join("\n"),
            );
        stack("standard");
        git("init", "-q", "-b", "main");
        git("add", "-A");
        git(
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-q",
            "-m",
            "standard",
        );
        stack("premium");
    });
    afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

    /** The command run in-process from the repository's folder: exit code, stdout and stderr lines. */
    async function renderRef(ref: string) {
        const stdout: string[] = [];
        const stderr: string[] = [];
        const cwd = process.cwd();
        process.chdir(repo);
        try {
            const status = await cli(
                ["render", "--stack", "dev", "--root", repo, "--diff-ref", ref],
                { log: (text) => stdout.push(text), error: (text) => stderr.push(text) },
            );
            return { status, stdout: `${stdout.join("\n")}\n`, stderr: `${stderr.join("\n")}\n` };
        } finally {
            process.chdir(cwd);
        }
    }

    test("renders the ref in a temporary worktree, removes it, and exits 3 on a replaced claim", async () => {
        const result = await renderRef("main");
        expect(result.status).toBe(3);
        expect(result.stdout.split("\n").slice(0, 5)).toEqual([
            "render diff of stack dev: main → this checkout",
            "  0 added, 0 removed, 2 changed, 1 in the danger list",
            "",
            "danger (1):",
            `  ! PersistentVolumeClaim jobs/data [volume-claim]: replaced: spec.storageClassName "standard" → "premium" forces replacement, so Pulumi creates a new one and deletes this one (retainOnDelete: Pulumi forgets the old one, its data left behind unmanaged); it holds the files on its volume (the platform's DAG claim holds every installed DAG).`,
        ]);
        expect(result.stderr).toMatch(
            /^render: checking out main \([0-9a-f]{12}\) in a temporary worktree\n/,
        );
        expect(git("worktree", "list").split("\n")).toHaveLength(1);
    });

    test("exits 2 naming a ref that does not exist", async () => {
        const result = await renderRef("no-such-branch");
        expect(result.status).toBe(2);
        expect(result.stderr).toContain(
            `render: stack dev failed: --diff-ref no-such-branch: not a commit of the git repository at ${repo}`,
        );
    });
});

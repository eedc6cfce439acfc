import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readStackConfig, renderStack, StackConfigError } from "../../bin/render";
import { cli } from "../../bin/render/cli";
import { redactPaths } from "../../bin/render/redact";

const fixture = path.join(__dirname, "fixtures/mini");
const placeholder = "[secret:mini:registryPassword]";

describe("readStackConfig", () => {
    test("qualifies bare keys with the project, keeps qualified ones, and replaces secure values by placeholders", () => {
        const config = readStackConfig(fixture, "dev");
        expect(config).toEqual({
            project: "mini",
            entry: path.join(fixture, "program/index.ts"),
            config: {
                "aws:region": "eu-west-1",
                "mini:app": JSON.stringify({
                    namespace: "team-a",
                    team: "analytics",
                    registry: { url: "http://registry.localhost:5000/platform", username: "robot" },
                }),
                "mini:registryPassword": placeholder,
            },
            secretKeys: ["mini:registryPassword"],
            placeholders: { "mini:registryPassword": placeholder },
        });
    });

    test("names the stacks that exist when asked for one that does not", () => {
        expect(() => readStackConfig(fixture, "nope")).toThrow(
            new StackConfigError(
                `no stack "nope": ${path.join(fixture, "stacks/Pulumi.nope.yaml")} does not exist; stacks: badlabel, badurl, dev, leak`,
            ),
        );
    });
});

describe("renderStack", () => {
    test("prints the component hierarchy with type and name, and counts per type", async () => {
        const result = await renderStack({ stack: "dev", root: fixture });
        expect(result.tree).toBe(
            [
                "test:render:App app",
                "├─ kubernetes:core/v1:ConfigMap app-settings",
                "├─ kubernetes:core/v1:Namespace app-namespace",
                "├─ kubernetes:core/v1:Secret app-pull",
                "└─ kubernetes:helm.sh/v3:Release app-db",
            ].join("\n"),
        );
        expect(result.counts).toEqual({
            "kubernetes:core/v1:ConfigMap": 1,
            "kubernetes:core/v1:Namespace": 1,
            "kubernetes:core/v1:Secret": 1,
            "kubernetes:helm.sh/v3:Release": 1,
            "test:render:App": 1,
        });
        expect(result.problems).toEqual([]);
    });

    test("renders manifests, Helm values with invoke results, and outputs with secrets redacted", async () => {
        const result = await renderStack({ stack: "dev", root: fixture });
        expect(Object.keys(result.files)).toEqual([
            "manifests/_cluster/namespace.team-a.yaml",
            "manifests/team-a/configmap.settings.yaml",
            "manifests/team-a/secret.pull.yaml",
            "order.txt",
            "outputs.yaml",
            "prerequisites.yaml",
            "releases/team-a/db.yaml",
            "tree.txt",
        ]);
        expect(result.files["manifests/team-a/secret.pull.yaml"]).toBe(
            [
                "apiVersion: v1",
                "kind: Secret",
                "metadata:",
                "  labels:",
                "    app.kubernetes.io/component: platform",
                "    app.kubernetes.io/managed-by: pulumi",
                "    app.kubernetes.io/part-of: pipeline-platform",
                "    team: analytics",
                "  name: pull",
                "  namespace: team-a",
                "stringData:",
                "  .dockerconfigjson: <redacted from config mini:registryPassword>",
                "type: kubernetes.io/dockerconfigjson",
                "",
            ].join("\n"),
        );
        expect(
            result.releases.map(({ file, name, namespace, chart, version, values }) => ({
                file,
                name,
                namespace,
                chart,
                version,
                values,
            })),
        ).toEqual([
            {
                file: "releases/team-a/db.yaml",
                name: "db",
                namespace: "team-a",
                chart: "postgresql",
                version: "1.2.3",
                values: { auth: { username: "app", existingSecret: "pull" }, region: "eu-west-1" },
            },
        ]);
        expect(result.outputs).toEqual({
            namespace: "team-a",
            pullSecretName: "pull",
            password: "<redacted from config mini:registryPassword>",
        });
        expect(result.files["tree.txt"]).toMatch(
            /\nresources by type:\n {4}1 {2}kubernetes:core\/v1:ConfigMap\n[\s\S]* {4}5 {2}total\n$/,
        );
    });

    test("writes no secure value into any file, in clear or base64", async () => {
        const result = await renderStack({ stack: "dev", root: fixture });
        const auth = Buffer.from(`robot:${placeholder}`).toString("base64");
        const dockerConfig = Buffer.from(
            JSON.stringify({
                auths: {
                    "registry.localhost:5000/platform": {
                        username: "robot",
                        password: placeholder,
                        auth,
                    },
                },
            }),
        ).toString("base64");
        const forbidden = [
            placeholder,
            "fixture-ciphertext-placeholder",
            Buffer.from(placeholder).toString("base64"),
            auth,
            dockerConfig,
        ];
        const text = Object.values(result.files).join("\n");
        expect(forbidden.filter((f) => text.includes(f))).toEqual([]);
    });

    test("reports a secret in Helm values and redacts it where it is", async () => {
        const result = await renderStack({ stack: "leak", root: fixture });
        expect(result.problems).toEqual([
            {
                object: "Helm release db",
                resource: "app-db",
                path: "values.auth.password",
                message:
                    "holds a secret: Helm releases receive Secret names, never credentials (rule 5)",
            },
        ]);
        expect(result.files["releases/team-a/db.yaml"]).toBe(
            [
                "name: db",
                "namespace: team-a",
                "chart: postgresql",
                "version: 1.2.3",
                "values:",
                "  auth:",
                "    password: <redacted from config mini:registryPassword>",
                "    username: app",
                "  region: eu-west-1",
                "",
            ].join("\n"),
        );
    });

    test("reports every object that would be refused, with the reason", async () => {
        const result = await renderStack({ stack: "badlabel", root: fixture });
        const reason =
            "label value \"Analytics Team!\": a label value must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
        expect(result.problems.map((p) => `${p.object} ${p.path}: ${p.message}`)).toEqual([
            `Namespace team-a /metadata/labels/team: ${reason}`,
            `ConfigMap team-a/settings /metadata/labels/team: ${reason}`,
            `Secret team-a/pull /metadata/labels/team: ${reason}`,
        ]);
    });

    test("fails with the config path when a component rejects a config value", async () => {
        const failure = renderStack({ stack: "badurl", root: fixture });
        await expect(failure).rejects.toBeInstanceOf(StackConfigError);
        await expect(failure).rejects.toMatchObject({
            path: "mini:app.registry.url",
            message: expect.stringMatching(
                /^mini:app\.registry\.url: got "registry\.localhost:5000\/platform"; expected .*http:\/\/ or https:\/\//,
            ),
        });
    });

    test("renders the same files twice in one process", async () => {
        const first = await renderStack({ stack: "dev", root: fixture });
        const second = await renderStack({ stack: "dev", root: fixture });
        expect(second.files).toEqual(first.files);
    });

    test("writes the files to out, replacing an earlier render but nothing else", async () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
        try {
            fs.mkdirSync(path.join(out, "manifests/stale"), { recursive: true });
            fs.writeFileSync(path.join(out, "manifests/stale/old.yaml"), "old");
            fs.writeFileSync(path.join(out, "notes.txt"), "mine");
            const lines: string[] = [];
            const result = await renderStack({
                stack: "dev",
                root: fixture,
                out,
                progress: (line) => lines.push(line),
            });
            const written = Object.keys(result.files).map((f) => [
                f,
                fs.readFileSync(path.join(out, f), "utf8"),
            ]);
            expect(Object.fromEntries(written)).toEqual(result.files);
            expect(fs.existsSync(path.join(out, "manifests/stale"))).toBe(false);
            expect(fs.readFileSync(path.join(out, "notes.txt"), "utf8")).toBe("mine");
            expect(lines).toEqual([
                "reading config of stack dev",
                "evaluating program/index.ts under the mock engine",
                "validating 3 Kubernetes objects",
                "checking the cold-start order and every name the objects use",
                `writing 8 files to ${out}`,
            ]);
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });
});

describe("redactPaths", () => {
    test.each([
        [
            "a quoted key",
            'stringData[".dockerconfigjson"]',
            {
                stringData: { ".dockerconfigjson": "<redacted>", other: "x" },
                values: { auth: { password: "p" } },
                items: ["a", "b"],
            },
        ],
        [
            "a nested property",
            "values.auth.password",
            {
                stringData: { ".dockerconfigjson": "s", other: "x" },
                values: { auth: { password: "<redacted>" } },
                items: ["a", "b"],
            },
        ],
        [
            "an array element",
            "items[1]",
            {
                stringData: { ".dockerconfigjson": "s", other: "x" },
                values: { auth: { password: "p" } },
                items: ["a", "<redacted>"],
            },
        ],
        [
            "a path that is absent",
            "values.missing.key",
            {
                stringData: { ".dockerconfigjson": "s", other: "x" },
                values: { auth: { password: "p" } },
                items: ["a", "b"],
            },
        ],
    ])("redacts %s without touching the original", (_name, secretPath, expected) => {
        const original = {
            stringData: { ".dockerconfigjson": "s", other: "x" },
            values: { auth: { password: "p" } },
            items: ["a", "b"],
        };
        expect(redactPaths(original, [secretPath])).toEqual(expected);
        expect(original.values.auth.password).toBe("p");
    });
});

/** The command run in this process: its exit code and what it printed to each stream. */
async function runCli(args: string[]) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await cli(args, {
        log: (text) => stdout.push(`${text}\n`),
        error: (text) => stderr.push(`${text}\n`),
    });
    return { code, stdout: stdout.join(""), stderr: stderr.join("") };
}

const USAGE =
    "usage: pipeline-platform render --stack <env> [--root <project dir>] [--out <dir>] [--stack-file <Pulumi.<env>.yaml to use instead>] [--diff <earlier render folder> | --diff-ref <git ref>] [--report <file.md>]\n";

describe("the render command", () => {
    let out: string;
    beforeEach(() => {
        out = fs.mkdtempSync(path.join(os.tmpdir(), "render-cli-"));
    });
    afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

    test.each([
        ["dev", 0, /render: stack dev is valid; 8 files in /],
        [
            "badlabel",
            1,
            /render: 3 problem\(s\) in stack badlabel:\n {2}Namespace team-a \(app-namespace\) \/metadata\/labels\/team: label value "Analytics Team!"/,
        ],
        [
            "badurl",
            2,
            /render: invalid config for stack badurl: mini:app\.registry\.url: got "registry\.localhost:5000\/platform"/,
        ],
    ])("renders stack %s with exit code %d", async (stack, code, message) => {
        const result = await runCli(["render", "--stack", stack, "--root", fixture, "--out", out]);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).toMatch(
            /^render: reading config of stack .*\nrender: evaluating program\/index\.ts under the mock engine\n/,
        );
        expect(result.code).toBe(code);
        if (code !== 2) {
            expect(result.stdout).toMatch(
                /^test:render:App app\n├─ kubernetes:core\/v1:ConfigMap app-settings\n[\s\S]*resources by type:\n/,
            );
        }
    });

    test("writes the render to --out and prints the tree, the counts and a summary", async () => {
        const result = await runCli(["render", "--stack", "dev", "--root", fixture, "--out", out]);
        expect(result.code).toBe(0);
        expect(result.stdout).toBe(
            [
                "test:render:App app",
                "├─ kubernetes:core/v1:ConfigMap app-settings",
                "├─ kubernetes:core/v1:Namespace app-namespace",
                "├─ kubernetes:core/v1:Secret app-pull",
                "└─ kubernetes:helm.sh/v3:Release app-db",
                "resources by type:",
                "    1  kubernetes:core/v1:ConfigMap",
                "    1  kubernetes:core/v1:Namespace",
                "    1  kubernetes:core/v1:Secret",
                "    1  kubernetes:helm.sh/v3:Release",
                "    1  test:render:App",
                "    5  total",
                "",
                "",
            ].join("\n"),
        );
        expect(result.stderr.split("\n").slice(0, 6)).toEqual([
            "render: reading config of stack dev",
            "render: evaluating program/index.ts under the mock engine",
            "render: validating 3 Kubernetes objects",
            "render: checking the cold-start order and every name the objects use",
            `render: writing 8 files to ${out}`,
            "render: cold start: graph depth 3, 4 resources (order.txt, prerequisites.yaml)",
        ]);
        expect(fs.readdirSync(out, { recursive: true, encoding: "utf8" }).sort()).toEqual([
            "manifests",
            "manifests/_cluster",
            "manifests/_cluster/namespace.team-a.yaml",
            "manifests/team-a",
            "manifests/team-a/configmap.settings.yaml",
            "manifests/team-a/secret.pull.yaml",
            "order.txt",
            "outputs.yaml",
            "prerequisites.yaml",
            "releases",
            "releases/team-a",
            "releases/team-a/db.yaml",
            "tree.txt",
        ]);
    });

    // `<out>` stands for the test's output folder, which must stay empty.
    test.each([
        ["no command", [], `no command given\n${USAGE}`],
        ["an unknown command", ["rendr", "--stack", "dev"], `unknown command "rendr"\n${USAGE}`],
        ["no --stack", ["render", "--out", "<out>"], `--stack is required\n${USAGE}`],
        [
            "--stack without a value",
            ["render", "--out", "<out>", "--stack"],
            `Option '--stack <value>' argument missing\n${USAGE}`,
        ],
        [
            "an unknown option",
            ["render", "--out", "<out>", "--stack", "dev", "--bogus"],
            `Unknown option '--bogus'\n${USAGE}`,
        ],
        [
            "a positional argument",
            ["render", "--out", "<out>", "--stack", "dev", "extra"],
            `Unexpected argument 'extra'. This command does not take positional arguments\n${USAGE}`,
        ],
    ])(
        "exits 2 with the usage on %s, printing and writing nothing else",
        async (_case, args, message) => {
            const result = await runCli(args.map((a) => (a === "<out>" ? out : a)));
            expect(result).toEqual({ code: 2, stdout: "", stderr: message });
            expect(fs.readdirSync(out)).toEqual([]);
        },
    );

    test("reads a project's own `prerequisites` key, refusing a malformed one with exit 2", async () => {
        const stackFile = path.join(out, "Pulumi.declared.yaml");
        fs.writeFileSync(
            stackFile,
            `${fs.readFileSync(path.join(fixture, "stacks/Pulumi.dev.yaml"), "utf8")}  mini:prerequisites:\n    crds: [Certificate]\n`,
        );
        const result = await runCli([
            "render",
            "--stack",
            "dev",
            "--root",
            fixture,
            "--stack-file",
            stackFile,
            "--out",
            path.join(out, "render"),
        ]);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(
            /\nrender: invalid config for stack dev: mini:prerequisites\.crds\[0\]: got "Certificate"; expected a custom resource kind as `<Kind>\.<group>`/,
        );
    });

    test("exits 2 naming the stacks there are when the stack does not exist", async () => {
        const result = await runCli(["render", "--stack", "nope", "--root", fixture, "--out", out]);
        expect(result).toEqual({
            code: 2,
            stdout: "",
            stderr: [
                "render: reading config of stack nope",
                `render: invalid config for stack nope: no stack "nope": ${path.join(fixture, "stacks/Pulumi.nope.yaml")} does not exist; stacks: badlabel, badurl, dev, leak`,
                "",
            ].join("\n"),
        });
    });

    test.each([[["--help"]], [["render", "--help"]], [["render", "-h"]]])(
        "prints the usage, what it does and the exit codes for %j, and exits 0",
        async (args) => {
            const result = await runCli(args);
            expect(result).toEqual({
                code: 0,
                stdout: [
                    USAGE,
                    "Renders a stack of the Pulumi project in --root (default: the current folder) offline, under the mock",
                    "engine: prints the resource tree and writes manifests, Helm values and outputs to --out (default:",
                    "<root>/out/<env>), every secret redacted, with the order `pulumi up` creates them in on an empty",
                    "cluster (order.txt) and what the cluster must already have (prerequisites.yaml).",
                    "",
                    "--diff <folder> compares the render with an earlier one written to that folder; --diff-ref <ref>",
                    "renders the stack as it is at a git ref (in a temporary git worktree, removed afterwards) and",
                    "compares with that. Either prints the files added, removed and changed (with field paths) and the",
                    "danger list: resources that hold data removed, renamed or replaced, claims that shrink, fernet keys",
                    "that lose a key, Secrets whose type changes, Jobs whose pod template changes under the same name.",
                    "--report <file> also writes the diff as Markdown (a pull-request comment).",
                    "",
                    "usage: pipeline-platform package-kaapana-chart --chart <workflow-extension chart folder> --image <registry>/<name>:<version> --registry-url <Kaapana's default registry> [--dag-installer-chart <folder or .tgz>] [--pull-policy IfNotPresent|Always|Never] [--out <dir>]",
                    "writes <out>/<chart name>-<version>.tgz: the Kaapana workflow-extension chart with Kaapana's",
                    "dag-installer chart inside, both at the installer image's tag, byte-identical for identical input",
                    "(for an upload in Kaapana's Extensions view); prints its path.",
                    "",
                    "Exit codes: 0 every object is valid (and the danger list is empty); 1 an object would be refused,",
                    "comes before what it needs, or names something nothing creates or declares; 2 a usage, config or",
                    "program error; 3 the danger list is not empty.",
                    "",
                ].join("\n"),
                stderr: "",
            });
        },
    );
});

import { spawnSync, type SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { filesUnder } from "../support/files";

/**
 * The package as a user gets it: `npm pack` (which builds through `prepack`), installed with
 * `npm install <tarball> --offline` into a fresh copy of a user's Pulumi project
 * (test/fixtures/consumer), then used three ways: a program that imports it by name, type-checked and
 * run under the mock engine; its `pipeline-platform render` command run through npx on the project;
 * and `renderStack` from `pipeline-platform/render`. The package's dependencies are linked from this
 * repository's node_modules before the install (only the ones package.json declares), so npm finds
 * them in place and needs no network, and an undeclared dependency fails the run.
 */

const root = path.join(__dirname, "../..");
const rootPackage = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
    name: string;
    version: string;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
};
const tsc = path.join(root, "node_modules/.bin/tsc");
const fixture = path.join(__dirname, "../fixtures/consumer");

/** The consumer's test program: what a user writes to check components in their own tests. */
const CHECK = `import * as pulumi from "@pulumi/pulumi";
import { AirflowDeployment, DagInstallerChart, PipelineIngress, RegistrySecret, type RegistrySecretArgs } from "pipeline-platform";
import { renderStack } from "pipeline-platform/render";
import { assertValidManifests, runProgram, validateRegistrations } from "pipeline-platform/testing";
import type { Registration } from "pipeline-platform/testing";

const badScope: RegistrySecretArgs = {
    registry: { location: "off-cluster", url: "https://registry.example.com/team", username: "robot", password: "x" },
    // @ts-expect-error the declarations are real types: an unknown scope does not compile
    scope: "global",
    namespaces: ["services"],
};

async function main(): Promise<void> {
    const result = await runProgram(() => {
        const registry = new RegistrySecret("registry", {
            registry: { location: "off-cluster", url: "https://registry.example.com/team", username: "robot", password: pulumi.secret("pa55word") },
            scope: "service",
            namespaces: ["airflow"],
        });
        const ingress = new PipelineIngress("otsu", {
            pipeline: "otsu",
            namespace: "imaging",
            labels: { app: "prod" },
            domains: { "example.org": { selector: { app: "prod" } }, "example.com": {} },
            service: { name: "otsu-frontend", port: 80 },
        });
        const airflow = new AirflowDeployment("airflow", {
            namespace: "airflow",
            imagePullSecrets: [registry.secretName],
            database: { bundled: true },
            projectNamespaces: ["imaging"],
            runConfig: { resources: { huge_machines: { requests: { cpu: "16" } } } },
        });
        new DagInstallerChart("otsu-dags", {
            image: { imageName: "registry.example.com/team/dag-otsu:1.0.0" },
            namespace: "airflow",
            imagePullSecrets: [registry.secretName],
            dagsClaimName: airflow.dagsClaimName,
        });
        return { url: ingress.url, secretName: registry.secretName, podTemplates: airflow.podTemplatesConfigMap };
    }, { project: "consumer", stack: "test", preview: false });
    await assertValidManifests(result.registrations);
    // A broken copy of the HTTPProxy must be refused: the CRD models load from the installed package.
    const broken = result.registrations.map((r) =>
        r.name === "otsu-proxy" ? { ...r, inputs: { ...r.inputs, spec: { ...r.inputs.spec, virtualhost: { fqdn: 42 } } } } : r);
    const problems = await validateRegistrations(broken);
    const release = result.registrations.find((r) => r.name === "otsu-dags-release");
    // The project's own program (index.ts, TypeScript loaded by the package), rendered as the command would.
    const rendered = await renderStack({ stack: "dev", root: process.cwd() });
    // The policy pack is run by Pulumi from its folder, so it is loaded here by path, not by export,
    // and untyped: @pulumi/policy 1.21.0's declarations do not compile without skipLibCheck
    // (its index.d.ts re-exports names its proxy.d.ts does not declare).
    const pack = \`\${process.cwd()}/node_modules/pipeline-platform/dist/policy-pack\`;
    const { evaluatePolicies, policyResources }: {
        evaluatePolicies(resources: unknown[], policies: unknown[]): Promise<Array<{ enforcementLevel: string; policy: string; urn: string }>>;
        policyResources(registrations: Registration[]): unknown[];
    } = require(\`\${pack}/evaluate.js\`);
    const { POLICIES }: { POLICIES: unknown[] } = require(\`\${pack}/policies.js\`);
    const violations = await evaluatePolicies(policyResources(result.registrations), POLICIES);
    console.log(JSON.stringify({
        types: [...new Set(result.registrations.map((r) => r.type))].sort(),
        outputs: result.outputs,
        dagChart: release?.inputs.chart,
        brokenProxyRefused: problems.some((p) => p.object === "HTTPProxy imaging/otsu"),
        badScope: badScope.scope,
        rendered: { files: Object.keys(rendered.files), outputs: rendered.outputs, problems: rendered.problems },
        policy: violations.map((v) => [v.enforcementLevel, v.policy, v.urn.split("::").pop()].join(" ")),
    }));
}

main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
});
`;

const TSCONFIG = {
    compilerOptions: {
        target: "ES2022",
        module: "node16",
        moduleResolution: "node16",
        strict: true,
        outDir: "build",
        rootDir: ".",
        types: ["node"],
        // The package's declarations are checked below: every module they import is one it depends on.
        skipLibCheck: true,
    },
    files: ["check.ts", "index.ts"],
};

/** Runs a command with Node's own options (not jest's); `expected` is the exit code it must end with. */
function run(command: string, args: string[], cwd: string, expected = 0): SpawnSyncReturns<string> {
    const result = spawnSync(command, args, {
        cwd,
        encoding: "utf8",
        env: { ...process.env, NODE_OPTIONS: "" },
        timeout: 180_000,
    });
    if (result.status !== expected) {
        throw new Error(
            `${command} ${args.join(" ")} exited with ${result.status ?? result.signal}:\n${result.stdout}\n${result.stderr}`,
        );
    }
    return result;
}

/** Links one installed package of this repository into the consumer's node_modules. */
function link(modules: string, name: string): void {
    const target = path.join(modules, name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.symlinkSync(path.join(root, "node_modules", name), target, "dir");
}

/** `npx pipeline-platform …` in the consumer project: the installed bin, never a download. */
const npx = (consumer: string, args: string[], expected = 0) =>
    run("npx", ["--offline", "--no", rootPackage.name, ...args], consumer, expected);

describe("the packed package, installed in a user's project", () => {
    let tmp: string;
    let tarball: string;
    let consumer: string;

    beforeAll(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-platform-pack-"));
        run("npm", ["pack", "--silent", "--pack-destination", tmp], root);
        tarball = path.join(tmp, `${rootPackage.name}-${rootPackage.version}.tgz`);

        consumer = path.join(tmp, "consumer");
        fs.cpSync(fixture, consumer, { recursive: true });
        const modules = path.join(consumer, "node_modules");
        for (const name of [...Object.keys(rootPackage.dependencies), "@types/node"]) {
            link(modules, name);
        }
        fs.writeFileSync(
            path.join(consumer, "package.json"),
            `${JSON.stringify({ name: "consumer", private: true, devDependencies: { "@types/node": rootPackage.devDependencies["@types/node"] } }, null, 2)}\n`,
        );
        run(
            "npm",
            ["install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", tarball],
            consumer,
        );
        fs.writeFileSync(
            path.join(consumer, "tsconfig.json"),
            `${JSON.stringify(TSCONFIG, null, 2)}\n`,
        );
        fs.writeFileSync(path.join(consumer, "check.ts"), CHECK);
    }, 240_000);

    afterAll(() => {
        if (tmp) {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });

    test("the tarball carries compiled code, declarations, the render command, the bundled DAG chart, the Airflow schema and the policy pack, and no sources or source maps", () => {
        const entries = run("tar", ["-tzf", tarball], root)
            .stdout.split("\n")
            .filter((e) => e !== "");
        for (const file of [
            "package/package.json",
            "package/README.md",
            "package/dist/components/index.js",
            "package/dist/components/index.d.ts",
            "package/dist/components/testing/index.js",
            "package/dist/components/testing/index.d.ts",
            "package/dist/bin/render/cli.js",
            "package/dist/bin/render/index.js",
            "package/dist/bin/render/index.d.ts",
            "package/dist/components/dags/chart/Chart.yaml",
            "package/dist/components/dags/chart/values.yaml",
            "package/dist/components/dags/chart/values.schema.json",
            "package/dist/components/airflow/chart-values.schema.json",
            "package/dist/policy-pack/PulumiPolicy.yaml",
            "package/dist/policy-pack/package.json",
            "package/dist/policy-pack/index.js",
            "package/dist/policy-pack/policies.js",
        ]) {
            expect(entries).toContain(file);
        }
        expect(
            entries.filter((e) => e.startsWith("package/dist/components/dags/chart/templates/"))
                .length,
        ).toBeGreaterThan(0);
        expect(
            entries.filter(
                (e) =>
                    !/^package\/(package\.json|README\.md|dist\/components\/.+|dist\/bin\/render\/[a-z-]+\.(js|d\.ts)|dist\/policy-pack\/([a-z-]+\.(js|d\.ts)|PulumiPolicy\.yaml|package\.json)|dist\/schema\/(args\.schema\.json|airflow-chart-values\.validate\.js)|schema\/stack-config\.schema\.json)$/.test(
                        e,
                    ),
            ),
        ).toEqual([]);
        expect(entries.filter((e) => e.endsWith(".ts") && !e.endsWith(".d.ts"))).toEqual([]);
        expect(entries.filter((e) => e.endsWith(".map"))).toEqual([]);
    });

    test("its declarations import only the package's own files, Node's modules and its dependencies", () => {
        const installed = path.join(consumer, "node_modules", rootPackage.name);
        const declarations = filesUnder(installed).filter((f) => f.endsWith(".d.ts"));
        expect(declarations.length).toBeGreaterThan(0);
        const imported = new Set(
            declarations.flatMap((file) =>
                [
                    ...fs
                        .readFileSync(path.join(installed, file), "utf8")
                        .matchAll(/(?:from |import\()"([^"]+)"/g),
                ].map((match) => match[1]),
            ),
        );
        expect(
            [...imported].filter(
                (specifier) =>
                    !specifier.startsWith(".") &&
                    !specifier.startsWith("node:") &&
                    !["fs", "path", "os", "http", "https", "child_process", "util"].includes(
                        specifier,
                    ) &&
                    !Object.hasOwn(
                        rootPackage.dependencies,
                        specifier
                            .split("/")
                            .slice(0, specifier.startsWith("@") ? 2 : 1)
                            .join("/"),
                    ),
            ),
        ).toEqual([]);
        expect([...imported]).toContain("@pulumi/pulumi");
    });

    test("a program importing it by name type-checks and runs under the mock engine", () => {
        run(tsc, ["-p", "tsconfig.json"], consumer);
        const output = run(process.execPath, [path.join("build", "check.js")], consumer).stdout;
        const report = JSON.parse(output.trim().split("\n").pop() as string);
        expect(report).toEqual({
            types: expect.arrayContaining([
                "pipeline-platform:registry:RegistrySecret",
                "pipeline-platform:ingress:PipelineIngress",
                "pipeline-platform:airflow:AirflowDeployment",
                "pipeline-platform:dags:DagInstallerChart",
                "kubernetes:core/v1:Secret",
                "kubernetes:projectcontour.io/v1:HTTPProxy",
                "kubernetes:helm.sh/v3:Release",
            ]),
            outputs: {
                url: "http://otsu.imaging.example.org",
                secretName: "registry",
                podTemplates: "airflow-pod-templates",
            },
            dagChart: "./node_modules/pipeline-platform/dist/components/dags/chart",
            brokenProxyRefused: true,
            badScope: "global",
            rendered: {
                files: [
                    "manifests/imaging/httpproxy.segmentation.yaml",
                    "manifests/imaging/secret.team-registry.yaml",
                    "order.txt",
                    "outputs.yaml",
                    "prerequisites.yaml",
                    "tree.txt",
                ],
                outputs: {
                    pullSecret: "team-registry",
                    url: "http://segmentation.imaging.example.org",
                },
                problems: [],
            },
            // The program does not protect what holds data, and its PipelineIngress names no
            // ingress class: the pack's mandatory policies name each, from the installed package.
            policy: [
                "mandatory stateful-resources-protected airflow-fernet-key-bytes",
                "mandatory stateful-resources-protected airflow-dags",
                "mandatory stateful-resources-protected airflow-fernet-key",
                "mandatory httpproxy-ingress-class otsu-proxy",
            ],
        });
    }, 180_000);

    test("npx pipeline-platform render --stack dev renders the project's own program offline", () => {
        const result = npx(consumer, ["render", "--stack", "dev"]);
        const tree = [
            "pipeline-platform:ingress:PipelineIngress segmentation",
            "└─ kubernetes:projectcontour.io/v1:HTTPProxy segmentation-proxy",
            "pipeline-platform:registry:RegistrySecret team-registry",
            "└─ kubernetes:core/v1:Secret team-registry-secret-imaging",
            "resources by type:",
            "    1  kubernetes:core/v1:Secret",
            "    1  kubernetes:projectcontour.io/v1:HTTPProxy",
            "    1  pipeline-platform:ingress:PipelineIngress",
            "    1  pipeline-platform:registry:RegistrySecret",
            "    4  total",
            "",
        ].join("\n");
        expect(result.stdout).toBe(`${tree}\n`);
        expect(result.stderr).toMatch(
            /^render: reading config of stack dev\nrender: evaluating index\.ts under the mock engine\nrender: validating 2 Kubernetes objects\nrender: checking the cold-start order and every name the objects use\nrender: writing 6 files to .*\/out\/dev\nrender: cold start: graph depth 1, 2 resources \(order\.txt, prerequisites\.yaml\)\nrender: stack dev is valid; 6 files in out\/dev \(\d+\.\ds\)\n$/,
        );

        const out = path.join(consumer, "out/dev");
        expect(filesUnder(out)).toEqual([
            "manifests/imaging/httpproxy.segmentation.yaml",
            "manifests/imaging/secret.team-registry.yaml",
            "order.txt",
            "outputs.yaml",
            "prerequisites.yaml",
            "tree.txt",
        ]);
        const read = (file: string) => fs.readFileSync(path.join(out, file), "utf8");
        expect(read("tree.txt")).toBe(tree);
        expect(read("outputs.yaml")).toBe(
            "pullSecret: team-registry\nurl: http://segmentation.imaging.example.org\n",
        );
        expect(read("manifests/imaging/secret.team-registry.yaml")).toBe(
            [
                "apiVersion: v1",
                "kind: Secret",
                "metadata:",
                "  labels:",
                "    app.kubernetes.io/component: registry",
                "    app.kubernetes.io/managed-by: pulumi",
                "    app.kubernetes.io/part-of: pipeline-platform",
                "    pipeline-platform.io/registry-scope: project",
                "  name: team-registry",
                "  namespace: imaging",
                "stringData:",
                "  .dockerconfigjson: <redacted from config consumer:registryPassword>",
                "type: kubernetes.io/dockerconfigjson",
                "",
            ].join("\n"),
        );
        expect(read("manifests/imaging/httpproxy.segmentation.yaml")).toContain(
            "  virtualhost:\n    fqdn: segmentation.imaging.example.org\n",
        );
    }, 180_000);

    test("npx pipeline-platform render exits 2 on a stack the project does not have", () => {
        const result = npx(consumer, ["render", "--stack", "prod", "--out", "out/prod"], 2);
        expect(result.stdout).toBe("");
        expect(result.stderr).toBe(
            [
                "render: reading config of stack prod",
                `render: invalid config for stack prod: no stack "prod": ${path.join(consumer, "Pulumi.prod.yaml")} does not exist; stacks: dev`,
                "",
            ].join("\n"),
        );
        expect(fs.existsSync(path.join(consumer, "out/prod"))).toBe(false);
    }, 180_000);
});

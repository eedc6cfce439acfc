import { spawnSync, type SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * The package as a user gets it: `npm pack` (which builds through `prepack`), the tarball unpacked
 * into a fresh project's node_modules, and a program that imports it by name, type-checked and run
 * under the mock engine. Dependencies are linked from this repository's node_modules (only the ones
 * package.json declares), so no network is needed and an undeclared dependency fails the run.
 */

const root = path.join(__dirname, "../..");
const rootPackage = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
    name: string;
    version: string;
    dependencies: Record<string, string>;
};
const tsc = path.join(root, "node_modules/.bin/tsc");

/** The consumer's program: what a user writes in another Pulumi project. */
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { AirflowDeployment, DagInstallerChart, PipelineIngress, RegistrySecret, type RegistrySecretArgs } from "pipeline-platform";
import { assertValidManifests, runProgram, validateRegistrations } from "pipeline-platform/testing";

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
    console.log(JSON.stringify({
        types: [...new Set(result.registrations.map((r) => r.type))].sort(),
        outputs: result.outputs,
        dagChart: release?.inputs.chart,
        brokenProxyRefused: problems.some((p) => p.object === "HTTPProxy imaging/otsu"),
        badScope: badScope.scope,
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
        outDir: "out",
        rootDir: ".",
        types: ["node"],
        skipLibCheck: false,
    },
    files: ["index.ts"],
};

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
    const result = spawnSync(command, args, {
        cwd,
        encoding: "utf8",
        env: { ...process.env, NODE_OPTIONS: "" },
        timeout: 180_000,
    });
    if (result.status !== 0) {
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

describe("the packed package, imported like a dependency", () => {
    let tmp: string;
    let tarball: string;
    let consumer: string;

    beforeAll(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-platform-pack-"));
        run("npm", ["pack", "--silent", "--pack-destination", tmp], root);
        tarball = path.join(tmp, `${rootPackage.name}-${rootPackage.version}.tgz`);

        consumer = path.join(tmp, "consumer");
        const modules = path.join(consumer, "node_modules");
        fs.mkdirSync(modules, { recursive: true });
        run("tar", ["-xzf", tarball, "-C", tmp], root);
        fs.renameSync(path.join(tmp, "package"), path.join(modules, rootPackage.name));
        for (const name of [...Object.keys(rootPackage.dependencies), "@types/node"]) {
            link(modules, name);
        }
        fs.writeFileSync(
            path.join(consumer, "package.json"),
            `${JSON.stringify({ name: "consumer", private: true, dependencies: { [rootPackage.name]: `file:${tarball}` } }, null, 2)}\n`,
        );
        fs.writeFileSync(
            path.join(consumer, "tsconfig.json"),
            `${JSON.stringify(TSCONFIG, null, 2)}\n`,
        );
        fs.writeFileSync(path.join(consumer, "index.ts"), PROGRAM);
    }, 240_000);

    afterAll(() => {
        if (tmp) {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });

    test("the tarball carries compiled code, declarations, the bundled DAG chart and the Airflow schema, and no sources", () => {
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
            "package/dist/components/dags/chart/Chart.yaml",
            "package/dist/components/dags/chart/values.yaml",
            "package/dist/components/dags/chart/values.schema.json",
            "package/dist/components/airflow/chart-values.schema.json",
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
                    !/^package\/(package\.json|README\.md|dist\/components\/.+|dist\/schema\/args\.schema\.json|schema\/stack-config\.schema\.json)$/.test(
                        e,
                    ),
            ),
        ).toEqual([]);
        expect(entries.filter((e) => e.endsWith(".ts") && !e.endsWith(".d.ts"))).toEqual([]);
    });

    test("a program importing it by name type-checks and runs under the mock engine", () => {
        run(tsc, ["-p", "tsconfig.json"], consumer);
        const output = run(process.execPath, [path.join("out", "index.js")], consumer).stdout;
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
        });
    }, 180_000);
});

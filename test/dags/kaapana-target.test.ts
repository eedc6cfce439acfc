import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import {
    DagInstallerChart,
    KAAPANA,
    kaapanaGlobals,
    kaapanaPullSecretName,
    packageKaapanaChart,
    planDagInstallerChart,
    readKaapanaChart,
    readTgz,
    type DagInstallerChartArgs,
    type KaapanaTarget,
} from "../../components/dags";
import { runProgram } from "../../components/testing";
import { cli } from "../../bin/render/cli";
import { temporaryFolders } from "../support/temporary";
import { dagInstallerStandIn, KAAPANA_FACTS, sha256sumPrefix } from "./kaapana-fixture";

const folder = temporaryFolders();
const standIn = dagInstallerStandIn(folder);
const target: KaapanaTarget = {
    platform: "kaapana",
    registryUrl: "registry.example.com/kaapana",
    buildVersion: "0.6.0",
    mainNodeName: "kaapana-main",
};

/** A user's workflow-extension chart in the layout of Kaapana's sample (fixture `extensionChart`). */
function workflowChart(extra: Record<string, string> = {}): string {
    const dir = folder("workflow-chart");
    const chart = path.join(dir, KAAPANA_FACTS.extensionChart.chart.name);
    fs.mkdirSync(path.join(chart, "templates"), { recursive: true });
    fs.writeFileSync(
        path.join(chart, "Chart.yaml"),
        YAML.stringify(KAAPANA_FACTS.extensionChart.chart),
    );
    fs.writeFileSync(
        path.join(chart, KAAPANA_FACTS.extensionChart.dependencyFile),
        YAML.stringify({
            dependencies: [
                { ...KAAPANA_FACTS.extensionChart.dependency, repository: `file://${standIn}` },
            ],
        }),
    );
    fs.writeFileSync(
        path.join(chart, "values.yaml"),
        YAML.stringify({ global: { image: "dag-otsus-method", action: "copy" } }),
    );
    fs.writeFileSync(path.join(chart, "templates", "notes.yaml"), "# no objects\n");
    for (const [file, text] of Object.entries(extra)) {
        fs.writeFileSync(path.join(chart, file), text);
    }
    return chart;
}

const chartDir = workflowChart();
const base: DagInstallerChartArgs = {
    image: { imageName: "registry.example.com:5000/team/dag-otsus-method:1.0.0" },
    namespace: "services",
    imagePullSecrets: [],
    target: { ...target, packageDir: folder("packages") },
    chart: chartDir,
    chartVersion: "1.0.0",
};

function run(args: DagInstallerChartArgs) {
    return runProgram(() => new DagInstallerChart("otsus-method", args), { preview: false });
}

function refusal(args: DagInstallerChartArgs): string {
    try {
        planDagInstallerChart("bad", args);
    } catch (err) {
        return (err as Error).message;
    }
    throw new Error("not refused");
}

describe("DagInstallerChart with a Kaapana target (Kaapana 0.6.0 fixture)", () => {
    test("passes only global.* values, every one a value Kaapana's dag-installer chart reads", async () => {
        const { registrations } = await run(base);
        const release = registrations.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
        expect(Object.keys(release.inputs.values)).toEqual(["global"]);
        const read: string[] = KAAPANA_FACTS.dagInstallerChart.values;
        for (const key of Object.keys(release.inputs.values.global)) {
            expect(read).toContain(`global.${key}`);
        }
        expect(release.inputs.namespace).toBe(KAAPANA_FACTS.namespaces.admin);
        expect(release.inputs.values.global.services_namespace).toBe("services");
    });

    test("feeds every environment variable the base-installer requires with a non-empty value", async () => {
        const { registrations } = await run(base);
        const globals = registrations.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!
            .inputs.values.global;
        const env: Record<string, string> = KAAPANA_FACTS.dagInstallerChart.containerEnv;
        const required: string[] = KAAPANA_FACTS.baseInstaller.requiredEnv;
        expect(required).toEqual([
            "KAAPANA_BUILD_VERSION",
            "KAAPANA_DEFAULT_REGISTRY",
            "ADMIN_NAMESPACE",
            "SERVICES_NAMESPACE",
        ]);
        for (const name of required) {
            const source = env[name].replace(/^global\./, "");
            expect([name, globals[source]]).toEqual([name, expect.stringMatching(/.+/)]);
        }
        expect(globals.kaapana_build_version).toBe("0.6.0");
        expect(globals.registry_url).toBe("registry.example.com/kaapana");
        expect(globals.admin_namespace).toBe("admin");
    });

    test("names the custom registry's pull Secret as Kaapana's chart does (sha256sum, first 4 hex digits)", () => {
        for (const url of ["registry.example.com:5000/team", "europe-docker.pkg.dev/p/r"]) {
            expect(kaapanaPullSecretName(url)).toBe(
                `${KAAPANA_FACTS.dagInstallerChart.pullSecret}-${sha256sumPrefix(url)}`,
            );
        }
    });

    test("uses Kaapana's claim and pull Secret names (the mounted-scripts claim is gone in 0.6.0)", () => {
        expect(Object.values(KAAPANA.claims)).toEqual(
            KAAPANA_FACTS.dagInstallerChart.claims.map((c: { name: string }) => c.name),
        );
        expect(KAAPANA_FACTS.dagInstallerChart.claimsRemovedIn060[0].name).toBe(
            "mounted-scripts-pv-claim",
        );
        expect(KAAPANA.pullSecret).toBe(KAAPANA_FACTS.registrySecret.name);
        expect(refusal({ ...base, dagsClaimName: "airflow-dags" })).toBe(
            `DagInstallerChart "bad": dagsClaimName: got "airflow-dags"; expected nothing for a Kaapana target (Kaapana's chart mounts dags-pv-claim), e.g. (leave it out)`,
        );
    });

    test("refuses an installer image whose tag is not the version the packaged chart pulls", () => {
        expect(
            refusal({
                ...base,
                image: { imageName: "registry.example.com:5000/team/dag-otsus-method:0.0.0" },
            }),
        ).toBe(
            `DagInstallerChart "bad": image.imageName: got "registry.example.com:5000/team/dag-otsus-method:0.0.0"; expected the tag 1.0.0: Kaapana's chart pulls the installer image tagged with the dag-installer chart's version, which is the packaged version, e.g. registry.example.com:5000/team/dag-otsus-method:1.0.0`,
        );
        expect(
            refusal({
                ...base,
                image: {
                    imageName: `registry.example.com/team/dag-otsus-method@sha256:${"a".repeat(64)}`,
                },
            }),
        ).toContain("a reference with a tag, not a digest");
    });

    test("a Kaapana workflow-extension chart for this platform's target is refused, pointing at the Kaapana target", () => {
        const message = refusal({
            image: base.image,
            namespace: "services",
            imagePullSecrets: ["registry-service"],
            dagsClaimName: "airflow-dags",
            chart: chartDir,
        });
        expect(message).toContain(
            `depends on Kaapana's dag-installer-chart, which reads only global.* values: install it with target { platform: "kaapana", … }`,
        );
    });
});

describe("the packaged chart archive", () => {
    function packaged(dir: string): Buffer {
        const chart = readKaapanaChart(dir, "1.0.0", target);
        return packageKaapanaChart(
            chart,
            kaapanaGlobals({
                target,
                servicesNamespace: "services",
                image: {
                    registry: "registry.example.com:5000/team",
                    image: "dag-otsus-method",
                    tag: "1.0.0",
                },
                action: "copy",
            }),
        );
    }

    test("is byte-identical for identical input, also from a copy with other mtimes and owners", () => {
        const first = packaged(chartDir);
        const copy = path.join(folder("copy"), "c");
        fs.cpSync(chartDir, copy, { recursive: true });
        for (const file of ["Chart.yaml", "values.yaml", "templates/notes.yaml"]) {
            fs.utimesSync(path.join(copy, file), new Date(2001, 1, 1), new Date(2001, 1, 1));
        }
        expect(packaged(copy).equals(first)).toBe(true);
        expect(packaged(chartDir).equals(first)).toBe(true);
        // gzip header: magic, deflate, no flags (no file name), mtime 0.
        expect([...first.subarray(0, 8)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
    });

    test("holds what helm expects, as GNU tar and Python's tarfile read it", () => {
        const file = path.join(folder("archive"), "x.tgz");
        fs.writeFileSync(file, packaged(chartDir));
        const name = KAAPANA_FACTS.extensionChart.chart.name;
        const listing = execFileSync("tar", ["--numeric-owner", "-tvzf", file], {
            encoding: "utf8",
        })
            .trim()
            .split("\n")
            .map((line) => line.split(/\s+/));
        expect(listing.map((l) => [l[0], l[1], l[3], l[5]])).toEqual([
            ["-rw-r--r--", "0/0", "1970-01-01", `${name}/Chart.yaml`],
            ["-rw-r--r--", "0/0", "1970-01-01", `${name}/charts/dag-installer-chart-1.0.0.tgz`],
            ["-rw-r--r--", "0/0", "1970-01-01", `${name}/templates/notes.yaml`],
            ["-rw-r--r--", "0/0", "1970-01-01", `${name}/values.yaml`],
        ]);
        const python = execFileSync(
            "python3",
            [
                "-c",
                "import sys,tarfile;t=tarfile.open(sys.argv[1]);print(','.join(m.name+':'+str(m.mtime)+':'+str(m.uid) for m in t))",
                file,
            ],
            { encoding: "utf8" },
        ).trim();
        expect(python.split(",")).toHaveLength(4);
        expect(python).not.toMatch(/:[1-9]\d*:|:\d+:[1-9]/);

        const files = readTgz(file);
        const chartYaml = YAML.parse(
            files.find((f) => f.path === `${name}/Chart.yaml`)!.data.toString(),
        );
        expect(chartYaml).toMatchObject({
            apiVersion: "v2",
            name,
            version: "1.0.0",
            dependencies: [{ name: "dag-installer-chart", version: "1.0.0" }],
        });
        expect(chartYaml.keywords).toContain(KAAPANA.workflowKeyword);
        const nested = path.join(path.dirname(file), "dep.tgz");
        fs.writeFileSync(
            nested,
            files.find((f) => f.path === `${name}/charts/dag-installer-chart-1.0.0.tgz`)!.data,
        );
        const dependency = readTgz(nested);
        expect(dependency.map((f) => f.path)).toEqual([
            "dag-installer-chart/Chart.yaml",
            "dag-installer-chart/values.yaml",
        ]);
        expect(YAML.parse(dependency[0].data.toString())).toEqual({
            ...KAAPANA_FACTS.dagInstallerChart.chart,
            description: "Dag installer",
            version: "1.0.0",
        });
    });

    test("is named as Kaapana's Extensions upload parses it: <name>-<version>.tgz, no pre-release", () => {
        const chart = readKaapanaChart(chartDir, "1.0.0", target);
        expect(chart.fileName).toBe(`${KAAPANA_FACTS.extensionChart.chart.name}-1.0.0.tgz`);
        const stem = chart.fileName.replace(/\.tgz$/, "");
        expect([
            stem.slice(0, stem.lastIndexOf("-")),
            stem.slice(stem.lastIndexOf("-") + 1),
        ]).toEqual([chart.name, "1.0.0"]);
        expect(() => readKaapanaChart(chartDir, "1.0.0-rc.1", target)).toThrow(
            'chartVersion: got "1.0.0-rc.1"; expected MAJOR.MINOR.PATCH without a pre-release part',
        );
    });
});

describe("this platform's installer contract", () => {
    const readme = fs.readFileSync(path.join(__dirname, "../../README.md"), "utf8");
    const section = readme.slice(
        readme.indexOf("<!-- section:workflow-extension -->"),
        readme.indexOf("<!-- /section:workflow-extension -->"),
    );

    test("the bundled chart and the README claim no compatibility with Kaapana's installer images", () => {
        const chart = YAML.parse(
            fs.readFileSync(path.join(__dirname, "../../components/dags/chart/Chart.yaml"), "utf8"),
        );
        expect(chart.description).not.toMatch(/kaapana/i);
        expect(section).not.toMatch(/same runtime interface as Kaapana/);
        expect(section).toContain("it does **not** run Kaapana's installer images");
        // What the README says those images need is what the fixture records.
        for (const name of KAAPANA_FACTS.baseInstaller.requiredEnv) {
            expect(section).toContain(`\`${name}\``);
        }
    });

    test("the README lists exactly the global values the Kaapana target sets, each one Kaapana's chart reads", () => {
        const listed = /only the\s+`global\.\*` values Kaapana's chart reads: ([^.]+)\./
            .exec(section)![1]
            .match(/`(\w+)`/g)!
            .map((k) => `global.${k.slice(1, -1)}`);
        const set = Object.keys(
            kaapanaGlobals({
                target,
                servicesNamespace: "services",
                image: { registry: "r.example.com/x", image: "dag-x", tag: "1.0.0" },
                action: "copy",
            }),
        ).map((k) => `global.${k}`);
        expect(listed.sort()).toEqual(set.sort());
        for (const key of listed) {
            expect(KAAPANA_FACTS.dagInstallerChart.values).toContain(key);
        }
    });
});

describe("pipeline-platform package-kaapana-chart", () => {
    function cliRun(args: string[]) {
        const lines: string[] = [];
        const errors: string[] = [];
        return cli(["package-kaapana-chart", ...args], {
            log: (t) => lines.push(t),
            error: (t) => errors.push(t),
        }).then((code) => ({ code, lines, errors }));
    }

    test("writes <name>-<version>.tgz, the version being the image's tag, byte-identical on a second run", async () => {
        const outs = [0, 1].map(() => folder("cli"));
        const results = [];
        for (const out of outs) {
            results.push(
                await cliRun([
                    "--chart",
                    chartDir,
                    "--image",
                    "registry.example.com:5000/team/dag-otsus-method:2.3.4",
                    "--registry-url",
                    "registry.example.com/kaapana",
                    "--out",
                    out,
                ]),
            );
        }
        const files = outs.map((out) => path.join(out, "otsus-method-workflow-2.3.4.tgz"));
        expect(results.map((r) => [r.code, r.lines, r.errors])).toEqual(
            files.map((file) => [0, [file], []]),
        );
        expect(fs.readFileSync(files[0]).equals(fs.readFileSync(files[1]))).toBe(true);
        const values = YAML.parse(
            readTgz(files[0])
                .find((f) => f.path === "otsus-method-workflow/values.yaml")!
                .data.toString(),
        );
        expect(values.global).toEqual({
            image: "dag-otsus-method",
            action: "copy",
            custom_registry_url: "registry.example.com:5000/team",
            pull_policy_images: "IfNotPresent",
        });
    });

    test("refuses a digest image and missing options with exit code 2", async () => {
        const digest = await cliRun([
            "--chart",
            chartDir,
            "--image",
            `registry.example.com/team/dag-x@sha256:${"a".repeat(64)}`,
            "--registry-url",
            "registry.example.com/kaapana",
        ]);
        expect(digest.code).toBe(2);
        expect(digest.errors[0]).toMatch(/^--image: expected a reference with a tag, not a digest/);
        const missing = await cliRun(["--chart", chartDir]);
        expect(missing.code).toBe(2);
        expect(missing.errors[0]).toMatch(/^--image, --registry-url required\n/);
    });
});

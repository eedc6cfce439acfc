import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import {
    DagInstallerChart,
    planDagInstallerChart,
    type DagInstallerChartArgs,
} from "../../components/dags";
import { releaseNameFor, valuesProblems } from "../../components/dags/dag-installer-chart";
import { assertValidManifests, runProgram, type Registration } from "../../components/testing";

const installerImage = { imageName: "registry.example.com:5000/team/dag-otsus-method:1.0.0" };
const base: DagInstallerChartArgs = {
    image: installerImage,
    namespace: "services",
    imagePullSecrets: ["registry-service"],
    dagsClaimName: "airflow-dags",
};
const labels = {
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "pipeline-platform",
    "app.kubernetes.io/component": "dags",
};
const relative = (p: string) => path.relative(process.cwd(), p);

function run(args: DagInstallerChartArgs) {
    return runProgram(
        () => {
            const chart = new DagInstallerChart("otsus-method", args);
            return { releaseName: chart.releaseName, chartVersion: chart.chartVersion };
        },
        { preview: false },
    );
}

function release(registrations: Registration[]): Registration {
    const found = registrations.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
    expect(found).toHaveLength(1);
    return found[0];
}

describe("DagInstallerChart", () => {
    let tmp: string;
    beforeAll(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dag-installer-"));
    });
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

    test("installs the bundled chart pinned to its version, waiting for the copy Job", async () => {
        const result = await run({
            ...base,
            pluginsClaimName: "airflow-plugins",
            env: { KAAPANA_BUILD_VERSION: "0.3.0" },
        });
        expect(result.registrations.map((r) => [r.type, r.name])).toEqual([
            ["pipeline-platform:dags:DagInstallerChart", "otsus-method"],
            ["kubernetes:helm.sh/v3:Release", "otsus-method-release"],
        ]);
        const rel = release(result.registrations);
        expect(rel.parent).toBe(result.registrations[0].urn);
        expect(rel.inputs).toEqual({
            name: "otsus-method",
            namespace: "services",
            chart: "./" + relative(path.join(__dirname, "../../components/dags/chart")),
            version: "0.1.0",
            waitForJobs: true,
            maxHistory: 5,
            compat: "true",
            values: {
                image: "registry.example.com:5000/team/dag-otsus-method:1.0.0",
                action: "copy",
                imagePullSecrets: [{ name: "registry-service" }],
                dagsClaimName: "airflow-dags",
                pluginsClaimName: "airflow-plugins",
                mountedScriptsClaimName: "",
                backoffLimit: 0,
                labels,
                env: { KAAPANA_BUILD_VERSION: "0.3.0" },
            },
        });
        expect(valuesProblems(rel.inputs.values)).toEqual([]);
        expect(result.outputs).toEqual({ releaseName: "otsus-method", chartVersion: "0.1.0" });
        await assertValidManifests(result.registrations);
    });

    test.each(["copy", "remove", "prefetch"] as const)(
        "computes values the chart schema accepts for action %s",
        async (action) => {
            const result = await run({
                ...base,
                action,
                dagsClaimName: action === "prefetch" ? undefined : "airflow-dags",
            });
            const values = release(result.registrations).inputs.values;
            expect(values.action).toBe(action);
            expect(valuesProblems(values)).toEqual([]);
        },
    );

    test("takes the image name from an Output, such as a ProcessingImage's", async () => {
        const result = await run({
            ...base,
            image: { imageName: pulumi.output("registry.example.com/dag-x:2.0.0") },
        });
        expect(release(result.registrations).inputs.values.image).toBe(
            "registry.example.com/dag-x:2.0.0",
        );
    });

    test("installs a user's chart folder pinned to the version in its Chart.yaml", async () => {
        const chart = relative(path.join(__dirname, "../fixtures/dags/extension-chart"));
        const result = await run({ ...base, chart, values: { global: { action: "copy" } } });
        const rel = release(result.registrations);
        expect([rel.inputs.chart, rel.inputs.version]).toEqual(["./" + chart, "1.0.0"]);
        expect(rel.inputs.values.global).toEqual({ action: "copy" });
    });

    test("installs a packaged .tgz pinned to the version in its file name", async () => {
        const tgz = path.join(tmp, "otsus-method-workflow-1.2.3.tgz");
        fs.writeFileSync(tgz, zlib.gzipSync(Buffer.from("chart")));
        const result = await run({ ...base, chart: tgz });
        expect(release(result.registrations).inputs.version).toBe("1.2.3");
    });

    test("two evaluations register identical inputs", async () => {
        const first = await run(base);
        const second = await run(base);
        expect(second.registrations.map((r) => r.inputs)).toEqual(
            first.registrations.map((r) => r.inputs),
        );
    });

    test("keeps short release names and hashes long ones to 40 characters", () => {
        expect(releaseNameFor("otsus-method")).toBe("otsus-method");
        const long = releaseNameFor("a-very-long-workflow-extension-name-for-otsus-method");
        expect(long).toMatch(/^a-very-long-workflow-extension-n-[0-9a-f]{7}$/);
        expect(long.length).toBeLessThanOrEqual(40);
    });

    test("builds from the plan planDagInstallerChart made, as from the args", async () => {
        const args = { ...base, values: { activeDeadlineSeconds: 900 } };
        const planned = await runProgram(
            () =>
                new DagInstallerChart("otsus-method", planDagInstallerChart("otsus-method", args)),
            { preview: false },
        );
        const direct = await run(args);
        expect(planned.registrations.map((r) => [r.type, r.name, r.inputs])).toEqual(
            direct.registrations.map((r) => [r.type, r.name, r.inputs]),
        );
        expect(release(planned.registrations).inputs.values.activeDeadlineSeconds).toBe(900);
    });

    test("checks values that hold an Output once they resolve, and passes them to Helm", async () => {
        const result = await run({
            ...base,
            values: { resources: { limits: { memory: pulumi.output("1Gi") } } },
        });
        expect(release(result.registrations).inputs.values.resources).toEqual({
            limits: { memory: "1Gi" },
        });
    });
});

// The Airflow chart contract: the pinned release, its schema, the Secrets and Services it reads and
// names, against the facts recorded from the release (test/fixtures/airflow-chart/SOURCE.md and
// components/testing/cold-start/SOURCE.md).
import { createHash } from "crypto";
import { readFileSync } from "fs";
import * as path from "path";
import * as semver from "semver";
import { parse } from "yaml";
import {
    AIRFLOW_CHART,
    AIRFLOW_VERSION,
    AirflowDeployment,
    type AirflowDeploymentArgs,
} from "../../components/airflow";
import { runProgram, type Registration } from "../../components/testing";
import CHART_FACTS from "../../components/testing/cold-start/airflow-chart.json";
import RELEASE from "../fixtures/airflow-chart/release.json";

const root = path.join(__dirname, "../..");
const fixtures = path.join(root, "test/fixtures/airflow-chart");
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

const args: AirflowDeploymentArgs = {
    namespace: "airflow",
    imagePullSecrets: ["airflow-registry"],
    database: { external: { secretName: "airflow-database" } },
    logs: {
        bucket: "pipeline-logs",
        connectionSecretName: "airflow-s3-logs",
        connectionId: "s3_logs",
    },
    projectNamespaces: ["imaging"],
};

async function deploy(name: string, deploymentArgs: AirflowDeploymentArgs) {
    return runProgram(() => {
        const airflow = new AirflowDeployment(name, deploymentArgs);
        return { webUrl: airflow.webUrl, releaseName: airflow.releaseName };
    });
}

function valueAt(values: Record<string, unknown>, dotted: string): unknown {
    return dotted
        .split(".")
        .reduce<unknown>(
            (v, key) =>
                v !== null && typeof v === "object"
                    ? (v as Record<string, unknown>)[key]
                    : undefined,
            values,
        );
}

/** The chart's Secret entries that apply on an Airflow version and executor. */
function secretsReadOn(version: string, executor: string) {
    return CHART_FACTS.secrets.filter((entry) => {
        const { airflowVersion, executors } = entry as {
            airflowVersion?: string;
            executors?: string[];
        };
        return (
            (airflowVersion === undefined || semver.satisfies(version, airflowVersion)) &&
            (executors === undefined || executors.includes(executor))
        );
    });
}

describe("the pinned Airflow chart release", () => {
    test("is the release the fixture records: chart version, Airflow version and source commit", () => {
        const chart = parse(readFileSync(path.join(fixtures, "Chart.yaml"), "utf8"));
        expect([chart.version, chart.appVersion]).toEqual([
            RELEASE.pinned.version,
            RELEASE.pinned.appVersion,
        ]);
        expect([AIRFLOW_CHART.version, AIRFLOW_VERSION]).toEqual([chart.version, chart.appVersion]);
        expect(CHART_FACTS.chart).toEqual({
            repo: AIRFLOW_CHART.repo,
            name: AIRFLOW_CHART.chart,
            version: RELEASE.pinned.version,
            appVersion: RELEASE.pinned.appVersion,
        });
        expect(CHART_FACTS.source.commit).toBe(RELEASE.pinned.commit);
    });

    test("ships the release's values.schema.json byte for byte, and the fixtures are the release files", () => {
        const files = Object.values(RELEASE.pinned.files);
        expect(files.map((f) => sha256(path.join(fixtures, f.fixture)))).toEqual(
            files.map((f) => f.sha256),
        );
        expect(sha256(path.join(root, "components/airflow/chart-values.schema.json"))).toBe(
            RELEASE.pinned.files["chart/values.schema.json"].sha256,
        );
    });

    test("every Secret the deployment generates is one the chart reads on the pinned Airflow, with the keys it reads", async () => {
        const result = await deploy("airflow", args);
        const values = result.registrations.find((r) => r.name === "airflow-release")!.inputs
            .values as Record<string, unknown>;
        const read = secretsReadOn(AIRFLOW_VERSION, values.executor as string);
        const generated = result.registrations.filter(
            (r: Registration) => r.type === "kubernetes:core/v1:Secret",
        );
        expect(generated.length).toBeGreaterThan(0);
        for (const secret of generated) {
            const name = secret.inputs.metadata.name;
            const readers = read.filter((entry) => valueAt(values, entry.value) === name);
            expect([name, readers.map((r) => r.value)]).toEqual([name, [expect.any(String)]]);
            expect([name, Object.keys(secret.inputs.stringData).sort()]).toEqual([
                name,
                [...readers[0].keys].sort(),
            ]);
        }
    });

    test("no value names a Secret the chart does not read on the pinned Airflow", async () => {
        const result = await deploy("airflow", args);
        const values = result.registrations.find((r) => r.name === "airflow-release")!.inputs
            .values as Record<string, unknown>;
        const read = new Set(
            secretsReadOn(AIRFLOW_VERSION, values.executor as string).map((e) => e.value),
        );
        const named = CHART_FACTS.secrets
            .map((entry) => entry.value)
            .filter((value) => valueAt(values, value) !== undefined);
        expect(named.filter((value) => !read.has(value))).toEqual([]);
        expect(named.sort()).toEqual([
            "apiSecretKeySecretName",
            "data.metadataSecretName",
            "fernetKeySecretName",
            "jwtSecretName",
        ]);
    });

    test.each([
        ["a release name without 'airflow'", "platform", "platform"],
        ["a release name with 'airflow'", "airflow", "airflow"],
    ])(
        "the web URL names the API server Service the chart creates, for %s",
        async (_case, name, release) => {
            const service = CHART_FACTS.services.find((s) => s.name.endsWith("-api-server"))!;
            expect(semver.satisfies(AIRFLOW_VERSION, service.airflowVersion!)).toBe(true);
            // `{fullname}` is the release name: the component leaves `useStandardNaming` off.
            const serviceName = service.name.replace("{fullname}", release);
            const result = await deploy(name, args);
            expect(result.outputs.webUrl).toBe(
                `http://${serviceName}.airflow.svc.cluster.local:8080`,
            );
            const values = result.registrations.find((r) => r.name === `${name}-release`)!.inputs
                .values as Record<string, unknown>;
            expect(values.useStandardNaming).toBeUndefined();
        },
    );
});

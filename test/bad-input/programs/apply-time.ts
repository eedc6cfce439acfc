// Run by apply-time.test.ts in a child process (jest claims unhandled rejections, so an input error
// raised inside an apply cannot be observed in-process). Runs every case, one after the other, and
// prints one JSON line per case: its name, whether the run failed, the error's class, property path
// and reason, and what was registered.
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { AirflowDeployment, remoteLogsFromStorage } from "../../../components/airflow";
import { DagInstallerChart, WorkflowExtension } from "../../../components/dags";
import { PipelineIngress } from "../../../components/ingress";
import { RegistrySecret } from "../../../components/registry";
import { S3Storage } from "../../../components/storage";
import { ProgramError, runProgram } from "../../../components/testing";
import { APPLY_TIME_CASES } from "./apply-time-cases";

const installer = (imageName: pulumi.Output<string>) => () =>
    new DagInstallerChart("bad", {
        image: { imageName },
        namespace: "services",
        imagePullSecrets: ["registry-service"],
        dagsClaimName: "airflow-dags",
    });

const airflowArgs = {
    namespace: "airflow",
    database: { bundled: true },
    projectNamespaces: [],
};
const registry = {
    location: "off-cluster",
    url: "https://registry.example.com/team",
    username: "robot",
    password: pulumi.secret("not-a-real-password"),
} as const;
const context = path.relative(process.cwd(), path.join(__dirname, "../../fixtures/images/context"));

const PROGRAMS: Record<(typeof APPLY_TIME_CASES)[number]["name"], () => unknown> = {
    "registry-namespace-output": () =>
        new RegistrySecret("bad", {
            registry,
            scope: "project",
            namespaces: [pulumi.output("Team_A")],
        }),
    "installer-image-protocol": installer(
        pulumi.output("https://registry.example.com/team/dag-otsus-method:1.0.0"),
    ),
    "installer-image-untagged": installer(
        pulumi.output("registry.example.com/team/dag-otsus-method"),
    ),
    "storage-access-key-output": () =>
        new S3Storage("bad", {
            storages: {
                default: {
                    provider: "external",
                    endpoint: "http://minio.storage:9000",
                    bucket: "pipelines",
                    accessKey: pulumi.secret(""),
                    secretKey: pulumi.secret("not-a-real-secret-key"),
                },
            },
        }),
    "ingress-class-output": () =>
        new PipelineIngress("bad", {
            pipeline: "otsu",
            namespace: "imaging",
            domains: { "example.com": {} },
            service: { name: "otsu-frontend", port: 80 },
            ingressClassName: pulumi.output("Contour"),
        }),
    "installer-values-output": () =>
        new DagInstallerChart("bad", {
            image: { imageName: "registry.example.com/team/dag-otsus-method:1.0.0" },
            namespace: "services",
            imagePullSecrets: ["registry-service"],
            dagsClaimName: "airflow-dags",
            values: { resources: { limits: { memory: pulumi.output("lots") } } },
        }),
    "extension-claim-output": () =>
        new WorkflowExtension("bad", {
            version: "1.0.0",
            projectRegistry: { registry, scope: "project", secretName: "registry-project" },
            serviceRegistry: { registry, scope: "service", secretName: "registry-service" },
            processingImages: [{ name: "otsus-method", context }],
            installer: { imageName: "registry.example.com/team/dag-otsus-method:1.0.0" },
            namespace: "services",
            dagsClaimName: pulumi.output("Airflow-DAGs"),
            projectNamespaces: ["project-a"],
        }),
    "logs-storage-missing": () =>
        new AirflowDeployment("bad", {
            ...airflowArgs,
            logs: remoteLogsFromStorage(
                {
                    buckets: pulumi.output({ default: "pipelines" }),
                    airflowConnectionSecretName: pulumi.output("airflow-conn-s3-logs"),
                    airflowConnectionId: pulumi.output("s3_logs"),
                },
                { storage: "logs" },
            ),
        }),
    "logs-storage-without-connection": () =>
        new AirflowDeployment("bad", {
            ...airflowArgs,
            logs: remoteLogsFromStorage({
                buckets: pulumi.output({ default: "pipelines" }),
                airflowConnectionSecretName: pulumi.output(undefined),
                airflowConnectionId: pulumi.output("s3_logs"),
            }),
        }),
    "airflow-values-output-chart": () =>
        new AirflowDeployment("bad", {
            ...airflowArgs,
            values: { scheduler: { replicas: pulumi.output("two") } },
        }),
    "airflow-values-output-credential": () =>
        new AirflowDeployment("bad", {
            ...airflowArgs,
            values: {
                config: pulumi.output({
                    database: { sql_alchemy_conn: "postgresql://airflow:not-a-real-password@db" },
                }),
            },
        }),
    "airflow-values-output-guarded": () =>
        new AirflowDeployment("bad", {
            ...airflowArgs,
            values: { workers: pulumi.output({ serviceAccount: { name: "other" } }) },
        }),
    "installer-values-output-url-credential": () =>
        new DagInstallerChart("bad", {
            image: { imageName: "registry.example.com/team/dag-otsus-method:1.0.0" },
            namespace: "services",
            imagePullSecrets: ["registry-service"],
            dagsClaimName: "airflow-dags",
            chart: path.relative(
                process.cwd(),
                path.join(__dirname, "../../../components/dags/chart"),
            ),
            values: {
                global: pulumi.output({
                    registryUrl: "https://robot:apply-time-sentinel@registry.example.com",
                }),
            },
        }),
    "airflow-database-secret-output": () =>
        new AirflowDeployment("bad", {
            ...airflowArgs,
            database: { external: { secretName: pulumi.output("Airflow_DB") } },
        }),
};

/** Runs one case; the JSON report of how it ended. */
async function runCase(name: keyof typeof PROGRAMS): Promise<Record<string, unknown>> {
    try {
        await runProgram(PROGRAMS[name], { preview: false });
        return { name, failed: false };
    } catch (err) {
        const cause = err instanceof ProgramError ? err.cause : err;
        const registered =
            err instanceof ProgramError ? err.registrations.map((r) => `${r.type} ${r.name}`) : [];
        const input = pulumi.InputPropertyError.isInstance(cause);
        return {
            name,
            failed: true,
            inputError: input,
            path: input ? (cause as pulumi.InputPropertyError).propertyPath : undefined,
            reason: input ? (cause as pulumi.InputPropertyError).reason : String(cause),
            registered,
        };
    }
}

// Every case in turn, each its own run of the engine, one JSON line per case.
(async () => {
    for (const name of Object.keys(PROGRAMS) as Array<keyof typeof PROGRAMS>) {
        console.log(JSON.stringify(await runCase(name)));
    }
})();

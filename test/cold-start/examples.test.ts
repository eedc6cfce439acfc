import type { ClusterPrerequisites } from "../../components/platform";
import { analyzeColdStart } from "../../components/testing/cold-start";
import { runExample } from "../examples/run-example";

/** `field namespace/name` of every prerequisite a report uses. */
function used(prerequisites: ReturnType<typeof analyzeColdStart>["prerequisites"]): string[] {
    return prerequisites.map((p) => `${p.field} ${p.namespace ? `${p.namespace}/` : ""}${p.name}`);
}

describe("examples apply to an empty cluster that has their declared prerequisites", () => {
    test.each<{
        example: string;
        config: Record<string, string>;
        secretKeys: string[];
        prerequisites: ClusterPrerequisites;
        uses: string[];
    }>([
        {
            example: "koalja-pipeline",
            config: {
                "koalja-pipeline:minioAccessKey": "minio-access",
                "koalja-pipeline:minioSecretKey": "minio/secret+key",
            },
            secretKeys: ["koalja-pipeline:minioAccessKey", "koalja-pipeline:minioSecretKey"],
            // Koalja's namespaces and pipeline Services, and cert-manager with its issuer.
            prerequisites: {
                crds: ["Certificate.cert-manager.io"],
                namespaces: ["imaging", "koalja-system"],
                clusterIssuers: ["letsencrypt"],
                services: [
                    { namespace: "imaging", name: "otsu-frontend" },
                    { namespace: "imaging", name: "otsu-threshold" },
                    { namespace: "imaging", name: "segmentation-frontend" },
                ],
            },
            uses: [
                "crds Certificate.cert-manager.io",
                "namespaces imaging",
                "namespaces koalja-system",
                "clusterIssuers letsencrypt",
                "services imaging/otsu-frontend",
                "services imaging/otsu-threshold",
                "services imaging/segmentation-frontend",
            ],
        },
        {
            example: "otsus-method",
            config: {
                "otsus-method:registryPassword": "s3cret",
                "otsus-method:projectNamespaces": '["project-a","project-b"]',
            },
            secretKeys: ["otsus-method:registryPassword"],
            // An existing platform's namespaces.
            prerequisites: { namespaces: ["project-a", "project-b", "services"] },
            uses: ["namespaces project-a", "namespaces project-b", "namespaces services"],
        },
        {
            example: "kedro-airflow",
            config: {
                "kedro-airflow:registryPassword": "registry-pa55word",
                "kedro-airflow:databaseSecretName": "airflow-metadata-db",
            },
            secretKeys: ["kedro-airflow:registryPassword"],
            // The namespaces, the database Secret, and the run's Secrets in the project namespace.
            prerequisites: {
                namespaces: ["airflow", "kedro"],
                secrets: [
                    { namespace: "airflow", name: "airflow-metadata-db", keys: ["connection"] },
                    { namespace: "kedro", name: "airflow-secrets", keys: ["sql_alchemy_conn"] },
                    { namespace: "kedro", name: "gcp-service-account", keys: ["key.json"] },
                    { namespace: "kedro", name: "mlflow-credentials" },
                ],
            },
            uses: [
                "namespaces airflow",
                "namespaces kedro",
                "secrets airflow/airflow-metadata-db",
                "secrets kedro/airflow-secrets",
                "secrets kedro/gcp-service-account",
                "secrets kedro/mlflow-credentials",
            ],
        },
    ])("$example", async ({ example, config, secretKeys, prerequisites, uses }) => {
        const { registrations } = await runExample(example, config, secretKeys);
        const report = analyzeColdStart(registrations, { prerequisites });
        expect(report.problems).toEqual([]);
        expect(used(report.prerequisites)).toEqual(uses);
    });
});

// Bad inputs only known as Outputs, so they fail inside an apply; the rows of apply-time.test.ts.
// `registers`: what exists before the failure. Children that do not wait for the bad Output are
// registered (during `pulumi up` they would be created before the update fails); children fed by it never are.
/** What an AirflowDeployment registers before its release, which waits for the values. */
const AIRFLOW_BEFORE_RELEASE = [
    "pipeline-platform:airflow:AirflowDeployment bad",
    "kubernetes:core/v1:PersistentVolumeClaim bad-dags",
    "kubernetes:core/v1:Secret bad-api-secret-key",
    "kubernetes:core/v1:Secret bad-fernet-key",
    "kubernetes:core/v1:Secret bad-jwt-secret",
    "kubernetes:core/v1:Secret bad-webserver-secret-key",
    "random:index/randomBytes:RandomBytes bad-api-secret-key-bytes",
    "random:index/randomBytes:RandomBytes bad-fernet-key-bytes",
    "random:index/randomBytes:RandomBytes bad-jwt-secret-bytes",
    "random:index/randomBytes:RandomBytes bad-webserver-secret-key-bytes",
];

export const APPLY_TIME_CASES = [
    {
        name: "registry-namespace-output",
        title: "RegistrySecret rejects a namespace Output that is not a DNS label, with its instance named",
        label: 'RegistrySecret "bad": ',
        path: "namespaces[0]",
        says: "expected a DNS-1123 label: must consist of lower case",
        example: "team-a",
        registers: ["pipeline-platform:registry:RegistrySecret bad"],
    },
    {
        name: "installer-image-protocol",
        title: "DagInstallerChart rejects an installer image Output with a protocol",
        path: "image.imageName",
        says: "an image reference: must not carry a protocol",
        example: "registry.example.com:5000/team/otsus-method:1.0.0",
        registers: ["pipeline-platform:dags:DagInstallerChart bad"],
    },
    {
        name: "installer-image-untagged",
        title: "DagInstallerChart rejects an installer image Output without tag or digest",
        path: "image.imageName",
        says: "a tag or digest",
        example: "registry.example.com:5000/team/otsus-method:1.0.0",
        registers: ["pipeline-platform:dags:DagInstallerChart bad"],
    },
    {
        name: "storage-access-key-output",
        title: "S3Storage rejects an empty access key Output, redacted, with its instance named",
        label: 'S3Storage "bad": ',
        path: "storages.default.accessKey",
        says: "got <redacted>; expected a string, not empty",
        example: 'config.requireSecret("minioAccessKey")',
        registers: [
            "pipeline-platform:storage:S3Storage bad",
            "kubernetes:core/v1:ConfigMap bad-config",
        ],
    },
    {
        name: "ingress-class-output",
        title: "PipelineIngress rejects an IngressClass name Output with upper case, with its instance named",
        label: 'PipelineIngress "bad": ',
        path: "ingressClassName",
        says: "a DNS-1123 subdomain: must consist of lower case",
        example: "contour",
        registers: ["pipeline-platform:ingress:PipelineIngress bad"],
    },
    {
        name: "logs-storage-missing",
        title: "AirflowDeployment rejects remote logs to a storage the S3Storage does not have",
        path: "logs.bucket",
        says: "a storage of the S3Storage (default)",
        example: "default",
        registers: AIRFLOW_BEFORE_RELEASE,
    },
    {
        name: "airflow-values-output-chart",
        title: "AirflowDeployment rejects a chart value Output the chart's schema refuses, with its instance named",
        label: 'AirflowDeployment "bad": ',
        path: "values.scheduler.replicas",
        says: "a value the Airflow chart 1.19.0 accepts (must be integer)",
        example: "values: { scheduler: { replicas: 2 } }",
        registers: AIRFLOW_BEFORE_RELEASE,
    },
    {
        name: "airflow-values-output-credential",
        title: "AirflowDeployment rejects a chart value Output that holds a credential, without showing it",
        label: 'AirflowDeployment "bad": ',
        path: "values.config.database.sql_alchemy_conn",
        says: "got <redacted>; expected no credential in plain Helm values",
        example:
            'secret: [{ envName: "AIRFLOW__CORE__FERNET_KEY", secretName: "airflow-fernet-key", secretKey: "fernet-key" }]',
        registers: AIRFLOW_BEFORE_RELEASE,
    },
    {
        name: "airflow-database-secret-output",
        title: "AirflowDeployment rejects a database Secret name Output that is not a DNS subdomain",
        label: 'AirflowDeployment "bad": ',
        path: "database.external.secretName",
        says: "expected a DNS-1123 subdomain: must consist of lower case",
        example: "airflow-db",
        registers: AIRFLOW_BEFORE_RELEASE,
    },
] as const;

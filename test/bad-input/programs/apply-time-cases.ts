// Bad inputs only known as Outputs, so they fail inside an apply; the rows of apply-time.test.ts.
// `registers`: what exists before the failure. Children that do not wait for the bad Output are
// registered (during `pulumi up` they would be created before the update fails); children fed by it never are.
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
        registers: [
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
        ],
    },
] as const;

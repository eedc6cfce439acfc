import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import type { RenderResult } from "../../bin/render";
import { cli } from "../../bin/render/cli";
import { renderedStack } from "../support/evaluations";

const root = path.join(__dirname, "../..");
const STACKS = ["dev", "staging", "prod"] as const;

/** `[wave, object]` of every line of an `order.txt` (wave numbers are padded to the widest). */
function waves(order: string): Array<[number, string]> {
    return order
        .split("\n")
        .filter((line) => /^ *\d/.test(line))
        .map((line) => {
            const [, wave, object] = /^ *(\d+) {2}(.*) {2}\(.*\)$/.exec(line)!;
            return [Number(wave), object];
        });
}

const renders: Partial<Record<(typeof STACKS)[number], RenderResult>> = {};
beforeAll(async () => {
    for (const stack of STACKS) {
        renders[stack] = await renderedStack(stack);
    }
});

describe("cold start of the committed stacks", () => {
    test.each([
        ["dev", 7, 48],
        ["staging", 11, 74],
        ["prod", 10, 91],
    ] as const)(
        "%s: every object after what it needs, every name created or declared; depth %d, %d resources",
        (stack, depth, resources) => {
            const result = renders[stack]!;
            expect(result.coldStart.problems).toEqual([]);
            expect(result.coldStart.depth).toBe(depth);
            expect(waves(result.files["order.txt"])).toHaveLength(resources);
        },
    );

    test("staging: every HTTPProxy after the Contour release, every ExternalSecret after the External Secrets release", () => {
        const order = waves(renders.staging!.files["order.txt"]);
        const wave = (object: string) => order.find(([, o]) => o === object)![0];
        const contour = wave("Release projectcontour/contour");
        const externalSecrets = wave("Release external-secrets/external-secrets");
        const proxies = order.filter(([, o]) => o.startsWith("HTTPProxy "));
        const secrets = order.filter(([, o]) => o.startsWith("ExternalSecret "));
        expect(proxies.map(([, o]) => o)).toEqual([
            "HTTPProxy imaging/segmentation",
            "HTTPProxy pipeline-services/airflow",
        ]);
        expect(secrets.map(([, o]) => o)).toEqual([
            "ExternalSecret analytics/ecr-registry",
            "ExternalSecret imaging/ecr-registry",
            "ExternalSecret pipeline-services/ecr-registry",
        ]);
        expect(proxies.every(([w]) => w > contour)).toBe(true);
        expect(secrets.every(([w]) => w > externalSecrets)).toBe(true);
    });

    test("prod: the waves", () => {
        expect(waves(renders.prod!.files["order.txt"])).toEqual([
            [1, "Namespace analytics"],
            [1, "Namespace external-secrets"],
            [1, "Namespace imaging"],
            [1, "Namespace partner"],
            [1, "Namespace pipeline-services"],
            [2, "ConfigMap koalja-system/koalja-s3-storage-config"],
            [2, "IngressClass contour"],
            [2, "LimitRange analytics/fence-limits"],
            [2, "LimitRange imaging/fence-limits"],
            [2, "LimitRange partner/fence-limits"],
            [2, "Namespace projectcontour"],
            [2, "NetworkPolicy analytics/fence-allow-airflow"],
            [2, "NetworkPolicy analytics/fence-allow-dns"],
            [2, "NetworkPolicy analytics/fence-allow-egress"],
            [2, "NetworkPolicy analytics/fence-allow-same-namespace"],
            [2, "NetworkPolicy analytics/fence-default-deny"],
            [2, "NetworkPolicy imaging/fence-allow-airflow"],
            [2, "NetworkPolicy imaging/fence-allow-dns"],
            [2, "NetworkPolicy imaging/fence-allow-egress"],
            [2, "NetworkPolicy imaging/fence-allow-ingress-controller"],
            [2, "NetworkPolicy imaging/fence-allow-same-namespace"],
            [2, "NetworkPolicy imaging/fence-default-deny"],
            [2, "NetworkPolicy partner/fence-allow-airflow"],
            [2, "NetworkPolicy partner/fence-allow-dns"],
            [2, "NetworkPolicy partner/fence-allow-egress"],
            [2, "NetworkPolicy partner/fence-allow-ingress-controller"],
            [2, "NetworkPolicy partner/fence-allow-same-namespace"],
            [2, "NetworkPolicy partner/fence-default-deny"],
            [2, "Release external-secrets/external-secrets"],
            [2, "ResourceQuota analytics/fence-quota"],
            [2, "ResourceQuota imaging/fence-quota"],
            [2, "ResourceQuota partner/fence-quota"],
            [2, "Secret analytics/partner-registry"],
            [2, "Secret imaging/partner-registry"],
            [2, "Secret partner/partner-registry"],
            [2, "gcp:serviceaccount/account:Account platform-storage-default-account"],
            [2, "gcp:storage/bucket:Bucket platform-storage-default-bucket"],
            [2, "gcp:storage/bucket:Bucket platform-storage-logs-bucket"],
            [3, "GCRAccessToken analytics/artifact-registry-registry"],
            [3, "GCRAccessToken imaging/artifact-registry-registry"],
            [3, "GCRAccessToken partner/artifact-registry-registry"],
            [3, "GCRAccessToken pipeline-services/artifact-registry-registry"],
            [3, "Release projectcontour/contour"],
            [3, "gcp:storage/bucketIAMMember:BucketIAMMember platform-storage-default-access"],
            [4, "Certificate imaging/segmentation-tls"],
            [4, "Certificate partner/segmentation-tls"],
            [4, "ConfigMap pipeline-services/platform-monitoring-dashboard"],
            [4, "ExternalSecret analytics/artifact-registry-registry"],
            [4, "ExternalSecret imaging/artifact-registry-registry"],
            [4, "ExternalSecret partner/artifact-registry-registry"],
            [4, "ExternalSecret pipeline-services/artifact-registry-registry"],
            [4, "PodMonitor external-secrets/external-secrets-controller"],
            [4, "PodMonitor projectcontour/contour-contour"],
            [4, "PodMonitor projectcontour/contour-envoy"],
            [4, "PrometheusRule pipeline-services/platform-monitoring-alerts"],
            [4, "ServiceMonitor pipeline-services/platform-airflow-statsd"],
            [4, "gcp:storage/hmacKey:HmacKey platform-storage-default-hmac"],
            [5, "ConfigMap analytics/otsus-method-images"],
            [5, "ConfigMap imaging/otsus-method-images"],
            [5, "ConfigMap partner/otsus-method-images"],
            [5, "HTTPProxy imaging/segmentation"],
            [5, "HTTPProxy partner/segmentation"],
            [5, "Secret koalja-system/koalja-s3-default-secrets"],
            [5, "docker:index/image:Image platform-extension-otsus-method-installer-image-image"],
            [5, "docker:index/image:Image platform-extension-otsus-method-otsus-method-image"],
            [6, "ConfigMap pipeline-services/platform-airflow-pod-templates"],
            [6, "ConfigMap pipeline-services/platform-airflow-run-config"],
            [6, "PersistentVolumeClaim pipeline-services/platform-airflow-dags"],
            [6, "Role analytics/platform-airflow-pod-launcher"],
            [6, "Role imaging/platform-airflow-pod-launcher"],
            [6, "Role partner/platform-airflow-pod-launcher"],
            [6, "gcp:serviceaccount/account:Account platform-airflow-logs-identity-account"],
            [6, "random:index/randomBytes:RandomBytes platform-airflow-api-secret-key-bytes"],
            [6, "random:index/randomBytes:RandomBytes platform-airflow-fernet-key-bytes"],
            [6, "random:index/randomBytes:RandomBytes platform-airflow-jwt-secret-bytes"],
            [7, "Release pipeline-services/otsus-method"],
            [7, "RoleBinding analytics/platform-airflow-pod-launcher"],
            [7, "RoleBinding imaging/platform-airflow-pod-launcher"],
            [7, "RoleBinding partner/platform-airflow-pod-launcher"],
            [7, "Secret pipeline-services/platform-airflow-api-secret-key"],
            [7, "Secret pipeline-services/platform-airflow-fernet-key"],
            [7, "Secret pipeline-services/platform-airflow-jwt-secret"],
            [
                7,
                "gcp:serviceaccount/iAMMember:IAMMember platform-airflow-logs-identity-user-platform-airflow-api-server",
            ],
            [
                7,
                "gcp:serviceaccount/iAMMember:IAMMember platform-airflow-logs-identity-user-platform-airflow-dag-processor",
            ],
            [
                7,
                "gcp:serviceaccount/iAMMember:IAMMember platform-airflow-logs-identity-user-platform-airflow-scheduler",
            ],
            [
                7,
                "gcp:serviceaccount/iAMMember:IAMMember platform-airflow-logs-identity-user-platform-airflow-triggerer",
            ],
            [
                7,
                "gcp:serviceaccount/iAMMember:IAMMember platform-airflow-logs-identity-user-platform-airflow-worker",
            ],
            [
                7,
                "gcp:storage/bucketIAMMember:BucketIAMMember platform-airflow-logs-identity-objects",
            ],
            [8, "Release pipeline-services/platform-airflow"],
            [9, "Certificate pipeline-services/airflow-tls"],
            [10, "HTTPProxy pipeline-services/airflow"],
        ]);
    });

    test.each(["staging", "prod"] as const)(
        "%s: prerequisites.yaml lists the Airflow database Secret with the key the chart reads",
        (stack) => {
            const prerequisites = YAML.parse(renders[stack]!.files["prerequisites.yaml"]);
            expect(prerequisites.secrets).toEqual([
                {
                    namespace: "pipeline-services",
                    name: "airflow-database",
                    keys: ["connection"],
                    usedBy: [
                        "Release pipeline-services/platform-airflow values.data.metadataSecretName",
                    ],
                },
            ]);
        },
    );
});

describe("render of a stack whose cluster prerequisites are not declared", () => {
    let dir: string;
    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-cold-"));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test("exits 1 naming every dangling object, the field and the missing name", async () => {
        const file = path.join(dir, "Pulumi.staging.yaml");
        const text = fs.readFileSync(path.join(root, "stacks/Pulumi.staging.yaml"), "utf8");
        fs.writeFileSync(file, text.slice(0, text.indexOf("        # What the cluster team")));
        const stderr: string[] = [];
        const code = await cli(
            [
                "render",
                "--stack",
                "staging",
                "--root",
                root,
                "--stack-file",
                file,
                "--out",
                path.join(dir, "out"),
            ],
            { log: () => undefined, error: (line) => stderr.push(line) },
        );
        expect(code).toBe(1);
        expect(stderr.slice(stderr.indexOf("render: 7 problem(s) in stack staging:"))).toEqual([
            "render: 7 problem(s) in stack staging:",
            "  Certificate imaging/segmentation-tls (platform-pipeline-imaging-segmentation-certificate) kind: kind Certificate.cert-manager.io is installed by none of the program's releases and not declared in prerequisites.crds; install it first (chart cert-manager) or declare it",
            '  Certificate imaging/segmentation-tls (platform-pipeline-imaging-segmentation-certificate) spec.issuerRef.name: ClusterIssuer "letsencrypt" is neither created by the program nor declared in prerequisites.clusterIssuers',
            "  Certificate pipeline-services/airflow-tls (platform-airflow-ingress-certificate) kind: kind Certificate.cert-manager.io is installed by none of the program's releases and not declared in prerequisites.crds; install it first (chart cert-manager) or declare it",
            '  Certificate pipeline-services/airflow-tls (platform-airflow-ingress-certificate) spec.issuerRef.name: ClusterIssuer "letsencrypt" is neither created by the program nor declared in prerequisites.clusterIssuers',
            '  ConfigMap koalja-system/koalja-s3-storage-config (platform-storage-config) metadata.namespace: Namespace "koalja-system" is neither created by the program nor declared in prerequisites.namespaces',
            '  PersistentVolumeClaim pipeline-services/platform-airflow-dags (platform-airflow-dags) spec.storageClassName: StorageClass "efs-sc" is neither created by the program nor declared in prerequisites.storageClasses',
            '  Secret koalja-system/koalja-s3-default-secrets (platform-storage-default-secret) metadata.namespace: Namespace "koalja-system" is neither created by the program nor declared in prerequisites.namespaces',
        ]);
        expect(stderr).toContain(
            "render: cold start: graph depth 11, 74 resources (order.txt, prerequisites.yaml)",
        );
    });

    test("exits 2 naming the path of a malformed declaration", async () => {
        const file = path.join(dir, "Pulumi.dev.yaml");
        fs.writeFileSync(
            file,
            fs
                .readFileSync(path.join(root, "stacks/Pulumi.dev.yaml"), "utf8")
                .replace("namespaces: [koalja-system]", "namespace: [koalja-system]"),
        );
        const stderr: string[] = [];
        const code = await cli(
            [
                "render",
                "--stack",
                "dev",
                "--root",
                root,
                "--stack-file",
                file,
                "--out",
                path.join(dir, "out-dev"),
            ],
            { log: () => undefined, error: (line) => stderr.push(line) },
        );
        expect(code).toBe(2);
        expect(stderr.at(-1)).toBe(
            'render: invalid config for stack dev: PipelinePlatform "platform": pipeline-platform:platform.prerequisites.namespace: unknown key; did you mean namespaces?',
        );
    });
});

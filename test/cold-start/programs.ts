// Fixture programs for the cold-start checks: each is a small Pulumi program a user might write, with
// one ordering or reference mistake (or none), run under the mock engine by cold-start.test.ts.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { RegistrySecret } from "../../components/registry";

const CONTOUR = { repo: "https://projectcontour.github.io/helm-charts" };

/** A namespace `web` with a Service `site` in it, both ordered: the base of the proxy programs. */
function site() {
    const namespace = new k8s.core.v1.Namespace("web", { metadata: { name: "web" } });
    const service = new k8s.core.v1.Service("site", {
        metadata: { name: "site", namespace: namespace.metadata.name },
        spec: { selector: { app: "site" }, ports: [{ port: 80 }] },
    });
    return { namespace, service };
}

function proxy(dependsOn: pulumi.Resource[], namespace: pulumi.Input<string>) {
    return new k8s.apiextensions.CustomResource(
        "proxy",
        {
            apiVersion: "projectcontour.io/v1",
            kind: "HTTPProxy",
            metadata: { name: "site", namespace },
            spec: {
                virtualhost: { fqdn: "site.example.com" },
                routes: [{ services: [{ name: "site", port: 80 }] }],
            },
        },
        { dependsOn },
    );
}

/** An HTTPProxy registered beside the Contour chart that installs its CRD, not after it. */
export function proxyWithoutItsChart(): void {
    const { namespace, service } = site();
    new k8s.helm.v3.Release("contour", {
        name: "contour",
        chart: "contour",
        repositoryOpts: CONTOUR,
        namespace: namespace.metadata.name,
    });
    proxy([service], namespace.metadata.name);
}

/** The same proxy after the chart (through the component that holds it). */
export function proxyAfterItsChart(): void {
    const { namespace, service } = site();
    const ingress = new Ingress("ingress", namespace.metadata.name);
    proxy([service, ingress], namespace.metadata.name);
}

class Ingress extends pulumi.ComponentResource {
    constructor(name: string, namespace: pulumi.Input<string>) {
        super("test:cold-start:Ingress", name);
        new k8s.helm.v3.Release(
            `${name}-contour`,
            { name: "contour", chart: "contour", repositoryOpts: CONTOUR, namespace },
            { parent: this },
        );
        this.registerOutputs({});
    }
}

/** A ConfigMap in namespace `jobs`, which the program creates too, but with no order between them. */
export function objectInANamespaceCreatedLater(): void {
    new k8s.core.v1.ConfigMap("settings", {
        metadata: { name: "settings", namespace: "jobs" },
        data: { mode: "batch" },
    });
    new k8s.core.v1.Namespace("jobs", { metadata: { name: "jobs" } });
}

/** A Deployment whose pod template reads a Secret nothing creates. */
export function podTemplateNamingAMissingSecret(): void {
    const namespace = new k8s.core.v1.Namespace("api", { metadata: { name: "api" } });
    const token = new k8s.core.v1.Secret("api-token", {
        metadata: { name: "api-token", namespace: namespace.metadata.name },
        stringData: { token: "not-a-real-token" },
    });
    new k8s.apps.v1.Deployment(
        "api",
        {
            metadata: { name: "api", namespace: namespace.metadata.name },
            spec: {
                selector: { matchLabels: { app: "api" } },
                template: {
                    metadata: { labels: { app: "api" } },
                    spec: {
                        containers: [
                            {
                                name: "api",
                                image: "registry.example.com/api:1.0.0",
                                env: [
                                    {
                                        name: "DATABASE_URL",
                                        valueFrom: {
                                            secretKeyRef: { name: "db-credentials", key: "url" },
                                        },
                                    },
                                ],
                            },
                        ],
                    },
                },
            },
        },
        { dependsOn: [token] },
    );
}

/** A Job mounting a claim by a misspelt name. */
export function typoInAClaimName(): void {
    const namespace = new k8s.core.v1.Namespace("batch", { metadata: { name: "batch" } });
    const claim = new k8s.core.v1.PersistentVolumeClaim("shared-data", {
        metadata: { name: "shared-data", namespace: namespace.metadata.name },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    });
    new k8s.batch.v1.Job(
        "import",
        {
            metadata: { name: "import", namespace: namespace.metadata.name },
            spec: {
                template: {
                    spec: {
                        restartPolicy: "Never",
                        containers: [
                            { name: "import", image: "registry.example.com/import:1.0.0" },
                        ],
                        volumes: [
                            { name: "data", persistentVolumeClaim: { claimName: "shared-dta" } },
                        ],
                    },
                },
            },
        },
        { dependsOn: [claim] },
    );
}

/** A pod reading a key its Secret does not have, and a Secret of another namespace. */
export function wrongKeyAndWrongNamespace(): void {
    const namespace = new k8s.core.v1.Namespace("api", { metadata: { name: "api" } });
    const other = new k8s.core.v1.Namespace("shared", { metadata: { name: "shared" } });
    const db = new k8s.core.v1.Secret("db", {
        metadata: { name: "db", namespace: namespace.metadata.name },
        stringData: { password: "x", username: "y" },
    });
    const tls = new k8s.core.v1.Secret("tls", {
        metadata: { name: "tls", namespace: other.metadata.name },
        stringData: { "tls.crt": "x", "tls.key": "y" },
    });
    new k8s.core.v1.Pod(
        "client",
        {
            metadata: { name: "client", namespace: namespace.metadata.name },
            spec: {
                containers: [
                    {
                        name: "client",
                        image: "registry.example.com/client:1.0.0",
                        env: [
                            {
                                name: "PASSWORD",
                                valueFrom: { secretKeyRef: { name: "db", key: "pasword" } },
                            },
                        ],
                    },
                ],
                volumes: [{ name: "tls", secret: { secretName: "tls" } }],
            },
        },
        { dependsOn: [db, tls] },
    );
}

/** A Certificate with no cert-manager in the program, and a Secret used before it is created. */
export function certificateAndUnorderedSecret(): void {
    const namespace = new k8s.core.v1.Namespace("web", { metadata: { name: "web" } });
    new k8s.apiextensions.CustomResource(
        "certificate",
        {
            apiVersion: "cert-manager.io/v1",
            kind: "Certificate",
            metadata: { name: "site-tls", namespace: "web" },
            spec: {
                secretName: "site-tls",
                dnsNames: ["site.example.com"],
                issuerRef: { kind: "ClusterIssuer", name: "letsencrypt" },
            },
        },
        { dependsOn: [namespace] },
    );
    new k8s.core.v1.Secret(
        "settings",
        { metadata: { name: "settings", namespace: "web" }, stringData: { mode: "x" } },
        { dependsOn: [namespace] },
    );
    new k8s.core.v1.Pod(
        "reader",
        {
            metadata: { name: "reader", namespace: "web" },
            spec: {
                containers: [
                    {
                        name: "reader",
                        image: "registry.example.com/reader:1.0.0",
                        envFrom: [{ secretRef: { name: "settings" } }],
                    },
                ],
            },
        },
        { dependsOn: [namespace] },
    );
}

/** The Airflow chart naming a database Secret nobody creates, in a namespace the cluster has. */
export function airflowWithAnUndeclaredDatabase(): void {
    new k8s.helm.v3.Release("airflow", {
        name: "airflow",
        chart: "airflow",
        repositoryOpts: { repo: "https://airflow.apache.org" },
        namespace: "airflow",
        values: {
            executor: "KubernetesExecutor",
            data: { metadataSecretName: "airflow-database" },
            webserverSecretKeySecretName: "not-read-on-airflow-3",
        },
    });
}

/** cert-manager from its chart, with `crds.enabled` as given, and a Certificate after it. */
export function certManagerChart(crdsEnabled: boolean): () => void {
    return () => {
        const namespace = new k8s.core.v1.Namespace("cert-manager", {
            metadata: { name: "cert-manager" },
        });
        const chart = new k8s.helm.v3.Release("cert-manager", {
            name: "cert-manager",
            chart: "cert-manager",
            repositoryOpts: { repo: "https://charts.jetstack.io" },
            namespace: namespace.metadata.name,
            values: crdsEnabled ? { crds: { enabled: true } } : {},
        });
        new k8s.apiextensions.CustomResource(
            "issuer",
            {
                apiVersion: "cert-manager.io/v1",
                kind: "ClusterIssuer",
                metadata: { name: "self-signed" },
                spec: { selfSigned: {} },
            },
            { dependsOn: [chart] },
        );
    };
}

/**
 * A pod template file in a ConfigMap, launched in the namespaces where a Role lets pods be created:
 * `tasks-a` has the Secret it reads, `tasks-b` does not.
 */
export function podTemplateFileLaunchedWhereASecretIsMissing(): void {
    const launcher = new k8s.core.v1.Namespace("launcher", { metadata: { name: "launcher" } });
    for (const name of ["tasks-a", "tasks-b"]) {
        const namespace = new k8s.core.v1.Namespace(name, { metadata: { name } });
        new k8s.rbac.v1.Role(`${name}-pods`, {
            metadata: { name: "pods", namespace: namespace.metadata.name },
            rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["create", "get", "delete"] }],
        });
        if (name === "tasks-a") {
            new k8s.core.v1.Secret("task-secret", {
                metadata: { name: "task-secret", namespace: namespace.metadata.name },
                stringData: { token: "x" },
            });
        }
    }
    new k8s.core.v1.ConfigMap("templates", {
        metadata: { name: "templates", namespace: launcher.metadata.name },
        data: {
            "task.yaml": [
                "apiVersion: v1",
                "kind: Pod",
                "metadata:",
                "  name: task",
                "spec:",
                "  containers:",
                "    - name: task",
                "      image: registry.example.com/task:1.0.0",
                "      envFrom:",
                "        - secretRef:",
                "            name: task-secret",
                "",
            ].join("\n"),
        },
    });
}

/** Pull Secrets patched into the `default` ServiceAccount and into one nothing creates. */
export function pullSecretPatchedIntoServiceAccounts(): void {
    const namespace = new k8s.core.v1.Namespace("airflow", { metadata: { name: "airflow" } });
    new RegistrySecret(
        "registry",
        {
            registry: {
                location: "off-cluster",
                url: "https://registry.example.com/team",
                username: "robot",
                password: pulumi.secret("not-a-real-password"),
            },
            scope: "service",
            namespaces: ["airflow"],
            serviceAccounts: ["default", "airflow/airflow-worker"],
        },
        { dependsOn: [namespace] },
    );
}

/** The Airflow chart with Celery workers autoscaled by KEDA: the chart renders a ScaledObject. */
export function airflowWithKeda(): void {
    const namespace = new k8s.core.v1.Namespace("airflow", { metadata: { name: "airflow" } });
    new k8s.helm.v3.Release(
        "airflow",
        {
            name: "airflow",
            chart: "airflow",
            namespace: "airflow",
            repositoryOpts: { repo: "https://airflow.apache.org" },
            values: {
                executor: "CeleryExecutor",
                workers: { keda: { enabled: true, minReplicaCount: 0, maxReplicaCount: 4 } },
            },
        },
        { dependsOn: [namespace] },
    );
}

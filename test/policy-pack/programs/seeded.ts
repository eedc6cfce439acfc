// A consumer stack seeded with violations: each resource breaks exactly one policy of the pack and
// keeps every other (labelled, hardened, pinned), so each violation must be reported once, by the
// policy named beside it.
import * as k8s from "@pulumi/kubernetes";
import { ProcessingImage } from "../../../components/images";

const labels = {
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "team-pipelines",
};
const metadata = (name: string) => ({ name, namespace: "team", labels });
const PINNED = `registry.example.com/team/tool:1.0.0@sha256:${"a".repeat(64)}`;
const hardened = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    runAsNonRoot: true,
    seccompProfile: { type: "RuntimeDefault" },
};
const podSpec = (image: string, extra: Record<string, unknown> = {}) => ({
    automountServiceAccountToken: false,
    containers: [{ name: "main", image, securityContext: hardened }],
    ...extra,
});

/** The seeded resources, with the policy that must report each (by resource name). */
export const SEEDED: Record<string, string> = {
    "plain-password": "credentials-only-in-secrets",
    "env-token": "credentials-only-in-secrets",
    "helm-password": "credentials-only-in-secrets",
    "wildcard-role": "no-wildcard-rbac",
    "escalating-job": "pods-hardened",
    "tag-job": "processing-images-by-digest",
    "unprotected-claim": "stateful-resources-protected",
    "classless-proxy": "httpproxy-ingress-class",
    "unlabelled-namespace": "namespaces-labelled",
    "tagged-pod": "images-pinned",
    "host-network-pod": "pods-no-host-access",
    "cluster-binding": "bindings-to-service-accounts",
    "bare-configmap": "objects-labelled",
};

export function seededProgram(context: string): Record<string, unknown> {
    new k8s.core.v1.Namespace("team", { metadata: { name: "team", labels } });
    new k8s.core.v1.ConfigMap("plain-password", {
        metadata: metadata("settings"),
        data: { DB_PASSWORD: "correct-horse-battery" },
    });
    new k8s.apps.v1.Deployment("env-token", {
        metadata: metadata("api"),
        spec: {
            selector: { matchLabels: { app: "api" } },
            template: {
                metadata: { labels: { app: "api" } },
                spec: {
                    automountServiceAccountToken: false,
                    containers: [
                        {
                            name: "api",
                            image: PINNED,
                            securityContext: hardened,
                            env: [{ name: "GITHUB_TOKEN", value: "not-a-real-token-but-literal" }],
                        },
                    ],
                },
            },
        },
    });
    new k8s.helm.v3.Release("helm-password", {
        chart: "postgresql",
        namespace: "team",
        values: { auth: { postgresPassword: "literal-in-values" } },
    });
    new k8s.rbac.v1.Role("wildcard-role", {
        metadata: metadata("everything"),
        rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["*"] }],
    });
    new k8s.batch.v1.Job("escalating-job", {
        metadata: metadata("migrate"),
        spec: {
            template: {
                spec: {
                    automountServiceAccountToken: false,
                    restartPolicy: "Never",
                    containers: [
                        {
                            name: "migrate",
                            image: PINNED,
                            securityContext: { ...hardened, allowPrivilegeEscalation: true },
                        },
                    ],
                },
            },
        },
    });
    const image = new ProcessingImage("otsus", {
        context,
        registry: {
            location: "off-cluster",
            url: "https://registry.example.com:5000/team",
            username: "robot",
            password: "registry-password",
        },
        name: "otsus-method",
        tag: "1.0.0",
    });
    new k8s.batch.v1.Job("tag-job", {
        metadata: metadata("otsus"),
        spec: {
            template: {
                spec: {
                    automountServiceAccountToken: false,
                    restartPolicy: "Never",
                    containers: [
                        { name: "otsus", image: image.imageName, securityContext: hardened },
                    ],
                },
            },
        },
    });
    new k8s.core.v1.PersistentVolumeClaim("unprotected-claim", {
        metadata: metadata("data"),
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    });
    new k8s.apiextensions.CustomResource("classless-proxy", {
        apiVersion: "projectcontour.io/v1",
        kind: "HTTPProxy",
        metadata: metadata("web"),
        spec: {
            virtualhost: { fqdn: "web.example.com" },
            routes: [{ services: [{ name: "web", port: 80 }] }],
        },
    });
    new k8s.core.v1.Namespace("unlabelled-namespace", {
        metadata: { name: "scratch", labels: { "app.kubernetes.io/managed-by": "pulumi" } },
    });
    new k8s.core.v1.Pod("tagged-pod", {
        metadata: metadata("tagged"),
        spec: podSpec("registry.example.com/team/tool:1.0.0"),
    });
    new k8s.core.v1.Pod("host-network-pod", {
        metadata: metadata("host"),
        spec: podSpec(PINNED, { hostNetwork: true }),
    });
    new k8s.rbac.v1.ClusterRoleBinding("cluster-binding", {
        metadata: { name: "team-view", labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
        subjects: [{ kind: "ServiceAccount", name: "api", namespace: "team" }],
    });
    new k8s.core.v1.ConfigMap("bare-configmap", {
        metadata: { name: "bare", namespace: "team" },
        data: { mode: "fast" },
    });
    return { imageRef: image.ref };
}

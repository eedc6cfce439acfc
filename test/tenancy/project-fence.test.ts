import { planProjectFence, ProjectFence, type ProjectFenceArgs } from "../../components/tenancy";
import { assertValidManifests, runProgram, type Registration } from "../../components/testing";

const labels = {
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "pipeline-platform",
    "app.kubernetes.io/component": "tenancy",
};
const metadata = (name: string) => ({ name, namespace: "imaging", labels });
const inNamespace = (name: string) => ({
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
});

/** The staging stack's run configuration profiles. */
const profiles: ProjectFenceArgs["taskProfiles"] = {
    __default__: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "4Gi" } },
    huge_machines: { requests: { cpu: "8", memory: "64Gi" }, limits: { memory: "96Gi" } },
};

async function fence(args: ProjectFenceArgs) {
    const result = await runProgram(() => {
        const f = new ProjectFence("imaging", args);
        return {
            networkPolicies: f.networkPolicies,
            quotaName: f.quotaName,
            limitRangeName: f.limitRangeName,
        };
    });
    await assertValidManifests(result.registrations);
    const byName = (name: string) =>
        (result.registrations.find((r) => r.name === name) as Registration).inputs;
    return { ...result, byName };
}

describe("ProjectFence", () => {
    test("fences a project namespace: ingress from Envoy and Airflow, egress to DNS, Airflow and declared destinations, limits and quota from the profiles", async () => {
        const result = await fence({
            namespace: "imaging",
            services: [
                { service: "segmentation", port: 8080 },
                { service: "otsu-task", port: 80, targetPort: 8000 },
            ],
            ingressController: { namespace: "projectcontour" },
            airflow: {
                namespace: "pipeline-services",
                ingress: [{ port: 8793 }],
                egress: [{ port: 8080 }, { port: 9125, protocol: "UDP" }],
            },
            egress: {
                kubernetesApi: { cidrs: ["172.20.0.0/16"] },
                to: [
                    { endpoint: "http://minio.minio.svc:9000" },
                    {
                        endpoint: "https://s3.eu-central-1.amazonaws.com",
                        cidrs: ["0.0.0.0/0"],
                        except: ["10.0.0.0/8", "169.254.169.254/32"],
                    },
                    { namespaceSelector: { team: "shared" }, ports: [{ port: 5432 }] },
                    { endpoint: "http://10.20.30.40:5000" },
                ],
            },
            taskProfiles: profiles,
        });
        const component = result.registrations.find((r) => !r.custom) as Registration;
        expect(component.type).toBe("pipeline-platform:tenancy:ProjectFence");
        expect(
            result.registrations
                .map((r) => [r.type, r.name, r.parent === component.urn])
                .sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
        ).toEqual([
            ["pipeline-platform:tenancy:ProjectFence", "imaging", false],
            ["kubernetes:networking.k8s.io/v1:NetworkPolicy", "imaging-allow-airflow", true],
            ["kubernetes:networking.k8s.io/v1:NetworkPolicy", "imaging-allow-dns", true],
            ["kubernetes:networking.k8s.io/v1:NetworkPolicy", "imaging-allow-egress", true],
            [
                "kubernetes:networking.k8s.io/v1:NetworkPolicy",
                "imaging-allow-ingress-controller",
                true,
            ],
            ["kubernetes:networking.k8s.io/v1:NetworkPolicy", "imaging-allow-kubernetes-api", true],
            ["kubernetes:networking.k8s.io/v1:NetworkPolicy", "imaging-allow-same-namespace", true],
            ["kubernetes:networking.k8s.io/v1:NetworkPolicy", "imaging-default-deny", true],
            ["kubernetes:core/v1:LimitRange", "imaging-limits", true],
            ["kubernetes:core/v1:ResourceQuota", "imaging-quota", true],
        ]);
        const policy = (name: string) => {
            const inputs = result.byName(`imaging-${name}`);
            expect(inputs.metadata).toEqual(metadata(`fence-${name}`));
            return inputs.spec;
        };
        expect(policy("default-deny")).toEqual({
            podSelector: {},
            policyTypes: ["Ingress", "Egress"],
        });
        expect(policy("allow-same-namespace")).toEqual({
            podSelector: {},
            policyTypes: ["Ingress", "Egress"],
            ingress: [{ from: [{ podSelector: {} }] }],
            egress: [{ to: [{ podSelector: {} }] }],
        });
        expect(policy("allow-ingress-controller")).toEqual({
            podSelector: {},
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [inNamespace("projectcontour")],
                    ports: [
                        { protocol: "TCP", port: 8080 },
                        { protocol: "TCP", port: 8000 },
                    ],
                },
            ],
        });
        expect(policy("allow-airflow")).toEqual({
            podSelector: {},
            policyTypes: ["Ingress", "Egress"],
            ingress: [
                {
                    from: [inNamespace("pipeline-services")],
                    ports: [{ protocol: "TCP", port: 8793 }],
                },
            ],
            egress: [
                {
                    to: [inNamespace("pipeline-services")],
                    ports: [
                        { protocol: "TCP", port: 8080 },
                        { protocol: "UDP", port: 9125 },
                    ],
                },
            ],
        });
        expect(policy("allow-dns")).toEqual({
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [
                        {
                            ...inNamespace("kube-system"),
                            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                        },
                    ],
                    ports: [
                        { protocol: "UDP", port: 53 },
                        { protocol: "TCP", port: 53 },
                    ],
                },
            ],
        });
        expect(policy("allow-kubernetes-api")).toEqual({
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [{ ipBlock: { cidr: "172.20.0.0/16" } }],
                    ports: [
                        { protocol: "TCP", port: 443 },
                        { protocol: "TCP", port: 6443 },
                    ],
                },
            ],
        });
        expect(policy("allow-egress")).toEqual({
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                { to: [inNamespace("minio")], ports: [{ protocol: "TCP", port: 9000 }] },
                {
                    to: [
                        {
                            ipBlock: {
                                cidr: "0.0.0.0/0",
                                except: ["10.0.0.0/8", "169.254.169.254/32"],
                            },
                        },
                    ],
                    ports: [{ protocol: "TCP", port: 443 }],
                },
                {
                    to: [{ namespaceSelector: { matchLabels: { team: "shared" } } }],
                    ports: [{ protocol: "TCP", port: 5432 }],
                },
                {
                    to: [{ ipBlock: { cidr: "10.20.30.40/32" } }],
                    ports: [{ protocol: "TCP", port: 5000 }],
                },
            ],
        });
        expect(result.byName("imaging-limits")).toEqual({
            apiVersion: "v1",
            kind: "LimitRange",
            metadata: metadata("fence-limits"),
            spec: {
                limits: [
                    {
                        type: "Container",
                        defaultRequest: { cpu: "1", memory: "2Gi" },
                        default: { memory: "4Gi" },
                        max: { memory: "96Gi" },
                    },
                ],
            },
        });
        // 10 `__default__` pods (10 cpu, 20Gi, 40Gi), raised to one huge_machines pod where it asks more.
        expect(result.byName("imaging-quota")).toEqual({
            apiVersion: "v1",
            kind: "ResourceQuota",
            metadata: metadata("fence-quota"),
            spec: {
                hard: { "requests.cpu": "10", "requests.memory": "64Gi", "limits.memory": "96Gi" },
            },
        });
        expect(result.outputs).toEqual({
            networkPolicies: [
                "fence-default-deny",
                "fence-allow-same-namespace",
                "fence-allow-ingress-controller",
                "fence-allow-airflow",
                "fence-allow-dns",
                "fence-allow-kubernetes-api",
                "fence-allow-egress",
            ],
            quotaName: "fence-quota",
            limitRangeName: "fence-limits",
        });
    });

    test("with unrestricted egress and no peers: only the ingress fences, no egress policy at all", async () => {
        const result = await fence({
            namespace: "imaging",
            sameNamespace: false,
            egress: { unrestricted: true },
        });
        expect(
            result.registrations.filter((r) => r.custom).map((r) => [r.name, r.inputs.spec]),
        ).toEqual([["imaging-default-deny", { podSelector: {}, policyTypes: ["Ingress"] }]]);
        expect(result.outputs).toEqual({
            networkPolicies: ["fence-default-deny"],
            quotaName: undefined,
            limitRangeName: undefined,
        });
    });

    test("allows only the given ports to the ingress controller, and its proxy pods only", async () => {
        const result = await fence({
            namespace: "imaging",
            services: [{ service: "segmentation", port: 8080 }],
            ingressController: {
                namespace: "projectcontour",
                podSelector: { "app.kubernetes.io/component": "envoy" },
                ports: [8080, 8443],
            },
        });
        expect(result.byName("imaging-allow-ingress-controller").spec.ingress).toEqual([
            {
                from: [
                    {
                        ...inNamespace("projectcontour"),
                        podSelector: { matchLabels: { "app.kubernetes.io/component": "envoy" } },
                    },
                ],
                ports: [
                    { protocol: "TCP", port: 8080 },
                    { protocol: "TCP", port: 8443 },
                ],
            },
        ]);
    });

    test("takes DNS servers from the config, NodeLocal DNSCache's address included", async () => {
        const result = await fence({
            namespace: "imaging",
            egress: {
                dns: {
                    namespace: "dns",
                    podSelector: { app: "coredns" },
                    cidrs: ["169.254.20.10/32"],
                },
            },
        });
        expect(result.byName("imaging-allow-dns").spec.egress[0].to).toEqual([
            { ...inNamespace("dns"), podSelector: { matchLabels: { app: "coredns" } } },
            { ipBlock: { cidr: "169.254.20.10/32" } },
        ]);
    });

    test.each([
        [
            "the given LimitRange and quota replace the derived ones",
            {
                limits: { defaultRequest: { cpu: "500m" }, max: { memory: "128Gi" } },
                quota: { hard: { "requests.cpu": "40", "limits.memory": "200Gi", pods: "30" } },
            },
            {
                defaultRequest: { cpu: "500m" },
                default: { memory: "4Gi" },
                max: { memory: "128Gi" },
            },
            { "requests.cpu": "40", "limits.memory": "200Gi", pods: "30" },
        ],
        [
            "more tasks make a larger derived quota",
            { quota: { tasks: 50 } },
            {
                defaultRequest: { cpu: "1", memory: "2Gi" },
                default: { memory: "4Gi" },
                max: { memory: "96Gi" },
            },
            { "requests.cpu": "50", "requests.memory": "100Gi", "limits.memory": "200Gi" },
        ],
    ])("%s", async (_title, extra, limitRange, hard) => {
        const result = await fence({ namespace: "imaging", taskProfiles: profiles, ...extra });
        expect(result.byName("imaging-limits").spec.limits).toEqual([
            { type: "Container", ...limitRange },
        ]);
        expect(result.byName("imaging-quota").spec.hard).toEqual(hard);
    });

    test("derives no quota on cpu or memory that a profile's pod would not set (the quota would refuse it)", async () => {
        const result = await fence({
            namespace: "imaging",
            taskProfiles: {
                __default__: { requests: { memory: "1Gi" } },
                gpu: { requests: { cpu: "4", memory: "8Gi", "nvidia.com/gpu": "1" } },
            },
        });
        expect(result.byName("imaging-quota").spec.hard).toEqual({
            "requests.memory": "10Gi",
            "requests.nvidia.com/gpu": "1",
        });
    });

    test("a plan is accepted in place of the args, for the same name only", async () => {
        const plan = planProjectFence("imaging", { namespace: "imaging" });
        const result = await runProgram(() => {
            new ProjectFence("imaging", plan);
        });
        expect(result.registrations.map((r) => r.name)).toEqual([
            "imaging",
            "imaging-default-deny",
            "imaging-allow-same-namespace",
            "imaging-allow-dns",
        ]);
        expect(() => new ProjectFence("analytics", plan)).toThrow(
            'ProjectFence "analytics" was handed the plan of ProjectFence "imaging"',
        );
    });
});

import {
    checkHostnames,
    ContourIngress,
    PipelineIngress,
    planPipelineIngress,
    type DomainConfig,
    type PipelineIngressArgs,
} from "../../components/ingress";
import { assertValidManifests, runProgram, type Registration } from "../../components/testing";

const labels = {
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "pipeline-platform",
    "app.kubernetes.io/component": "ingress",
};

const domains: DomainConfig = {
    "example.com": {},
    "prod.example.com": { selector: { env: "prod" } },
};

const otsu: PipelineIngressArgs = {
    pipeline: "otsu",
    namespace: "imaging",
    labels: { env: "prod" },
    domains,
    service: { name: "otsu-frontend", port: 80 },
};

function ingress(args: PipelineIngressArgs) {
    return runProgram(() => {
        const ing = new PipelineIngress("otsu", args);
        return { fqdn: ing.fqdn, url: ing.url, proxyName: ing.proxyName };
    });
}

const byName = (registrations: Registration[], name: string) =>
    registrations.find((r) => r.name === name) as Registration;

describe("PipelineIngress", () => {
    test("writes one HTTPProxy with the selected hostname, websockets on /, task routes, timeouts and the wait annotation", async () => {
        const result = await ingress({
            ...otsu,
            ingressClassName: "contour",
            tasks: [
                { task: "threshold", service: "otsu-threshold", port: 8080, replacePrefix: "/" },
                { task: "stats", service: "otsu-stats", port: 9090 },
            ],
            timeouts: { response: "60s", idle: "5m" },
        });
        expect(result.registrations.map((r) => [r.type, r.name])).toEqual([
            ["pipeline-platform:ingress:PipelineIngress", "otsu"],
            ["kubernetes:projectcontour.io/v1:HTTPProxy", "otsu-proxy"],
        ]);
        const timeoutPolicy = { response: "60s", idle: "5m" };
        expect(byName(result.registrations, "otsu-proxy").inputs).toEqual({
            apiVersion: "projectcontour.io/v1",
            kind: "HTTPProxy",
            metadata: {
                name: "otsu",
                namespace: "imaging",
                labels,
                annotations: { "pulumi.com/waitFor": "jsonpath={.status.currentStatus}=valid" },
            },
            spec: {
                ingressClassName: "contour",
                virtualhost: { fqdn: "otsu.imaging.prod.example.com" },
                routes: [
                    {
                        conditions: [{ prefix: "/" }],
                        services: [{ name: "otsu-frontend", port: 80 }],
                        enableWebsockets: true,
                        timeoutPolicy,
                    },
                    {
                        conditions: [{ prefix: "/threshold" }],
                        services: [{ name: "otsu-threshold", port: 8080 }],
                        pathRewritePolicy: {
                            replacePrefix: [{ prefix: "/threshold", replacement: "/" }],
                        },
                        timeoutPolicy,
                    },
                    {
                        conditions: [{ prefix: "/stats" }],
                        services: [{ name: "otsu-stats", port: 9090 }],
                        timeoutPolicy,
                    },
                ],
            },
        });
        expect(result.outputs).toEqual({
            fqdn: "otsu.imaging.prod.example.com",
            url: "http://otsu.imaging.prod.example.com",
            proxyName: "otsu",
        });
        await assertValidManifests(result.registrations);
    });

    test("issues a cert-manager Certificate for a clusterIssuer and serves its Secret", async () => {
        const result = await ingress({ ...otsu, tls: { clusterIssuer: "letsencrypt" } });
        expect(result.registrations.map((r) => r.name)).toEqual([
            "otsu",
            "otsu-certificate",
            "otsu-proxy",
        ]);
        const certificate = byName(result.registrations, "otsu-certificate");
        expect(certificate.type).toBe("kubernetes:cert-manager.io/v1:Certificate");
        expect(certificate.inputs).toEqual({
            apiVersion: "cert-manager.io/v1",
            kind: "Certificate",
            metadata: { name: "otsu-tls", namespace: "imaging", labels },
            spec: {
                secretName: "otsu-tls",
                dnsNames: ["otsu.imaging.prod.example.com"],
                issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: "letsencrypt" },
            },
        });
        const proxy = byName(result.registrations, "otsu-proxy");
        expect(proxy.inputs.spec.virtualhost).toEqual({
            fqdn: "otsu.imaging.prod.example.com",
            tls: { secretName: "otsu-tls" },
        });
        expect(proxy.dependencies).toContain(certificate.urn);
        expect(proxy.inputs.spec.ingressClassName).toBeUndefined();
        expect(result.outputs.url).toBe("https://otsu.imaging.prod.example.com");
        await assertValidManifests(result.registrations);
    });

    test("serves an existing TLS Secret without a Certificate", async () => {
        const result = await ingress({ ...otsu, tls: { secretName: "wildcard-tls" } });
        expect(result.registrations.map((r) => r.name)).toEqual(["otsu", "otsu-proxy"]);
        expect(byName(result.registrations, "otsu-proxy").inputs.spec.virtualhost).toEqual({
            fqdn: "otsu.imaging.prod.example.com",
            tls: { secretName: "wildcard-tls" },
        });
        expect(result.outputs.url).toBe("https://otsu.imaging.prod.example.com");
    });

    test("uses the namespace's own domain config instead of the platform one", async () => {
        const result = await ingress({
            ...otsu,
            namespaceDomains: { imaging: { "imaging.example.org": {} } },
        });
        expect(result.outputs.fqdn).toBe("otsu.imaging.imaging.example.org");
    });

    test("takes the class name from a ContourIngress", async () => {
        const result = await runProgram(() => {
            const contour = new ContourIngress("edge", { ingressClassName: "contour-internal" });
            new PipelineIngress(
                "otsu",
                { ...otsu, ingressClassName: contour.ingressClassName },
                { dependsOn: [contour] },
            );
        });
        expect(byName(result.registrations, "otsu-proxy").inputs.spec.ingressClassName).toBe(
            "contour-internal",
        );
        await assertValidManifests(result.registrations);
    });

    test("registers identical inputs on two evaluations", async () => {
        const args: PipelineIngressArgs = {
            ...otsu,
            tls: { clusterIssuer: "letsencrypt" },
            tasks: [{ task: "threshold", service: "otsu-threshold", port: 8080 }],
        };
        const first = await ingress(args);
        const second = await ingress(args);
        expect(second.registrations).toEqual(first.registrations);
    });

    test("rejects a second pipeline with the same hostname before creating it, naming the first", async () => {
        const failure = await runProgram(() => {
            new PipelineIngress("first", otsu);
            new PipelineIngress("second", otsu);
        }).catch((err) => err);
        expect(failure.message).toBe(
            'PipelineIngress "second": pipeline: got "otsu"; expected a hostname no other pipeline has: pipeline "otsu" in namespace "imaging" already has otsu.imaging.prod.example.com, and Contour would mark both proxies invalid, e.g. otsu-2',
        );
        expect(failure.registrations.map((r: Registration) => r.name)).toEqual([
            "first",
            "first-proxy",
        ]);
    });

    test("accepts two pipelines with the same name in different namespaces", async () => {
        const result = await runProgram(() => {
            const a = new PipelineIngress("a", otsu);
            const b = new PipelineIngress("b", { ...otsu, namespace: "genomics" });
            return { a: a.fqdn, b: b.fqdn };
        });
        expect(result.outputs).toEqual({
            a: "otsu.imaging.prod.example.com",
            b: "otsu.genomics.prod.example.com",
        });
    });

    test("builds from a plan made beforehand, with the same registrations as from its args", async () => {
        const fromArgs = await ingress(otsu);
        const fromPlan = await runProgram(() => {
            const ing = new PipelineIngress("otsu", planPipelineIngress("otsu", otsu));
            return { fqdn: ing.fqdn, url: ing.url, proxyName: ing.proxyName };
        });
        expect(fromPlan.registrations).toEqual(fromArgs.registrations);
        expect(fromPlan.outputs).toEqual(fromArgs.outputs);
    });
});

describe("planPipelineIngress", () => {
    test("picks the hostname from the platform config in a namespace without its own", () => {
        const plan = planPipelineIngress("otsu", {
            ...otsu,
            namespace: "genomics",
            namespaceDomains: { imaging: { "imaging.example.org": {} } },
        });
        expect(plan.plan.fqdn).toBe("otsu.genomics.prod.example.com");
        expect(plan.plan.url).toBe("http://otsu.genomics.prod.example.com");
    });

    test("replaces the platform config by the namespace's own, never merged", () => {
        const plan = planPipelineIngress("otsu", {
            ...otsu,
            namespaceDomains: { imaging: { "imaging.example.org": {} } },
        });
        expect(plan.plan.fqdn).toBe("otsu.imaging.imaging.example.org");
    });
});

describe("checkHostnames", () => {
    test("refuses the later of two planned pipelines with one hostname, reported as that plan reports", () => {
        const plans = [
            planPipelineIngress("a", otsu),
            planPipelineIngress("b", { ...otsu, namespace: "genomics" }),
            planPipelineIngress("c", otsu, {
                label: "platform",
                path: (relative) => `pipelines[2].${relative}`,
            }),
        ];
        expect(() => checkHostnames(plans.slice(0, 2))).not.toThrow();
        expect(() => checkHostnames(plans)).toThrow(
            'platform: pipelines[2].pipeline: got "otsu"; expected a hostname no other pipeline has: pipeline "otsu" in namespace "imaging" already has otsu.imaging.prod.example.com',
        );
    });
});

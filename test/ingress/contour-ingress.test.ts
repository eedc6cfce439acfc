import {
    CONTOUR_CHART,
    ContourIngress,
    KoaljaDomainConfig,
    type ContourIngressArgs,
} from "../../components/ingress";
import { assertValidManifests, runProgram, type Registration } from "../../components/testing";

const labels = {
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "pipeline-platform",
    "app.kubernetes.io/component": "ingress",
};

function contour(args: ContourIngressArgs) {
    return runProgram(() => {
        const ingress = new ContourIngress("edge", args);
        return { ingressClassName: ingress.ingressClassName, namespace: ingress.namespace };
    });
}

const byName = (registrations: Registration[], name: string) =>
    registrations.find((r) => r.name === name);

describe("ContourIngress", () => {
    test("installs the pinned projectcontour chart in its own namespace with an IngressClass and root namespaces", async () => {
        const result = await contour({ rootNamespaces: ["imaging", "genomics"] });
        expect(result.registrations.map((r) => [r.type, r.name])).toEqual([
            ["pipeline-platform:ingress:ContourIngress", "edge"],
            ["kubernetes:core/v1:Namespace", "edge-namespace"],
            ["kubernetes:networking.k8s.io/v1:IngressClass", "edge-class"],
            ["kubernetes:helm.sh/v3:Release", "edge-contour"],
        ]);
        const [component, namespace, ingressClass, release] = result.registrations;
        for (const child of [namespace, ingressClass, release]) {
            expect(child.parent).toBe(component.urn);
        }
        expect(namespace.inputs.metadata).toEqual({ name: "projectcontour", labels });
        expect(ingressClass.inputs.metadata).toEqual({ name: "contour", labels });
        expect(ingressClass.inputs.spec).toEqual({
            controller: "projectcontour.io/ingress-controller",
        });
        expect(release.inputs).toMatchObject({
            name: "contour",
            chart: "contour",
            version: "0.7.0",
            repositoryOpts: { repo: "https://projectcontour.github.io/helm-charts" },
            namespace: "projectcontour",
            values: {
                contour: {
                    ingressClass: { name: "contour", create: false, default: false },
                    rootNamespaces: "imaging,genomics",
                },
            },
        });
        expect(release.dependencies).toEqual([namespace.urn, ingressClass.urn].sort());
        expect(CONTOUR_CHART.version).toBe("0.7.0");
        expect(result.outputs).toEqual({
            ingressClassName: "contour",
            namespace: "projectcontour",
        });
        await assertValidManifests(result.registrations);
    });

    test("passes no rootNamespaces value when none are given, so Contour watches every namespace", async () => {
        const result = await contour({
            ingressClassName: "contour-internal",
            namespace: "contour",
        });
        const release = byName(result.registrations, "edge-contour") as Registration;
        expect(release.inputs.values).toEqual({
            contour: { ingressClass: { name: "contour-internal", create: false, default: false } },
        });
        expect(result.outputs).toEqual({
            ingressClassName: "contour-internal",
            namespace: "contour",
        });
    });

    test("adopts an existing Contour by class name and installs nothing", async () => {
        const result = await contour({
            existing: true,
            ingressClassName: "contour-shared",
            namespace: "ingress",
        });
        expect(result.registrations.map((r) => r.type)).toEqual([
            "pipeline-platform:ingress:ContourIngress",
        ]);
        expect(result.outputs).toEqual({
            ingressClassName: "contour-shared",
            namespace: "ingress",
        });
    });

    test("registers identical inputs on two evaluations", async () => {
        const first = await contour({ rootNamespaces: ["imaging"] });
        const second = await contour({ rootNamespaces: ["imaging"] });
        expect(second.registrations).toEqual(first.registrations);
    });
});

describe("KoaljaDomainConfig", () => {
    test("emits koalja-domain-config with selector blocks and an empty default", async () => {
        const result = await runProgram(() => {
            const config = new KoaljaDomainConfig("domains", {
                domains: { "example.org": { selector: { app: "prod" } }, "example.com": {} },
            });
            return { configMapName: config.configMapName };
        });
        const configMap = byName(result.registrations, "domains-config") as Registration;
        expect(configMap.type).toBe("kubernetes:core/v1:ConfigMap");
        expect(configMap.inputs).toEqual({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "koalja-domain-config", namespace: "koalja-system", labels },
            data: { "example.com": "", "example.org": "selector:\n  app: prod\n" },
        });
        expect(result.outputs).toEqual({ configMapName: "koalja-domain-config" });
        await assertValidManifests(result.registrations);
    });
});

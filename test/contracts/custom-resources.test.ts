// External Secrets and Contour objects against the CRDs and behaviour of the pinned releases
// (test/fixtures/contracts/SOURCE.md): a field our objects set that the CRD lacks, a template key
// the generator does not produce, a ServiceAccount External Secrets would not find, a status value
// Contour never reports: each fails here.
import { renderStack, type RenderResult } from "../../bin/render";
import { RegistrySecret } from "../../components/registry";
import { runProgram, kubernetesManifests, type Manifest } from "../../components/testing";
import CONTOUR from "../fixtures/contracts/contour-crds.json";
import ESO_CRDS from "../fixtures/contracts/external-secrets-crds.json";
import ESO from "../fixtures/contracts/external-secrets.json";
import { crdProblems, crdValidators, schemaHasPath, type RecordedCrd } from "./crd-schema";
import * as path from "path";

const root = path.join(__dirname, "../..");
const validators = crdValidators([...ESO_CRDS.crds, ...CONTOUR.crds] as RecordedCrd[]);
const recordedGroups = new Set([...ESO_CRDS.crds, ...CONTOUR.crds].map((c) => c.group));

const renders: Record<string, RenderResult> = {};
beforeAll(async () => {
    for (const stack of ["dev", "staging", "prod"]) {
        renders[stack] = await renderStack({ stack, root });
    }
});

const objects = (stack: string): Manifest[] => renders[stack].manifests.map((m) => m.manifest);
const group = (m: Manifest) => (m.apiVersion.includes("/") ? m.apiVersion.split("/")[0] : "");

/** A RegistrySecret with a namespace selector: the ClusterGenerator and ClusterExternalSecret path. */
async function selectorObjects(): Promise<Manifest[]> {
    const result = await runProgram(() => {
        new RegistrySecret("ecr", {
            registry: { location: "ecr", region: "eu-central-1", registryId: "123456789012" },
            scope: "project",
            namespaces: ["imaging"],
            namespaceSelector: { "pipeline-platform.io/project": "true" },
        });
        new RegistrySecret("gcr", {
            registry: {
                location: "gcr",
                url: "https://europe-west1-docker.pkg.dev/my-project/pipelines",
                workloadIdentity: {
                    projectId: "my-project",
                    clusterLocation: "europe-west1",
                    clusterName: "pipelines",
                    serviceAccount: { name: "gcr-reader" },
                },
            },
            scope: "project",
            namespaces: ["imaging"],
        });
    });
    return kubernetesManifests(result.registrations).map((m) => m.manifest);
}

describe("custom resources against the CRDs of the pinned releases", () => {
    test.each(["dev", "staging", "prod"])(
        "stack %s: every External Secrets and Contour object has only fields its CRD declares",
        (stack) => {
            const custom = objects(stack).filter((m) => recordedGroups.has(group(m)));
            expect(custom.length).toBeGreaterThan(0);
            expect(
                custom
                    .map((m) => [`${m.kind} ${m.metadata?.name}`, crdProblems(validators, m)])
                    .filter(([, problems]) => problems.length > 0),
            ).toEqual([]);
        },
    );

    test("the ClusterGenerator, ClusterExternalSecret and GCR generator paths too", async () => {
        const custom = (await selectorObjects()).filter((m) => recordedGroups.has(group(m)));
        expect(custom.map((m) => m.kind).sort()).toEqual([
            "ClusterExternalSecret",
            "ClusterGenerator",
            "ExternalSecret",
            "GCRAccessToken",
        ]);
        expect(custom.flatMap((m) => crdProblems(validators, m))).toEqual([]);
    });

    test("a field the CRD does not declare is found (the check can fail)", () => {
        const generator = objects("staging").find((m) => m.kind === "ECRAuthorizationToken")!;
        const spec = generator.spec as Record<string, unknown>;
        expect(
            crdProblems(validators, {
                ...generator,
                spec: { ...spec, refreshInterval: "1h" },
            } as Manifest),
        ).toEqual(["/spec/refreshInterval is not a field of the CRD"]);
    });
});

describe("External Secrets behaviour at the pinned release", () => {
    test("every key an ExternalSecret template reads is one its generator produces", async () => {
        const all = [...objects("staging"), ...objects("prod"), ...(await selectorObjects())];
        const outputs = ESO.generatorOutputs as Record<string, { keys: string[] }>;
        const kindOf = (m: Manifest): string => {
            const ref = (
                (m.spec as Record<string, unknown[]>).dataFrom[0] as Record<
                    string,
                    Record<string, Record<string, string>>
                >
            ).sourceRef.generatorRef;
            if (ref.kind !== "ClusterGenerator") {
                return ref.kind;
            }
            const cluster = all.find(
                (o) => o.kind === "ClusterGenerator" && o.metadata?.name === ref.name,
            )!;
            return (cluster.spec as Record<string, string>).kind;
        };
        const secrets = all.flatMap((m) =>
            m.kind === "ExternalSecret"
                ? [m]
                : m.kind === "ClusterExternalSecret"
                  ? [
                        {
                            ...m,
                            spec: (m.spec as Record<string, unknown>).externalSecretSpec,
                        } as Manifest,
                    ]
                  : [],
        );
        expect(secrets.length).toBeGreaterThan(2);
        for (const secret of secrets) {
            const template = JSON.stringify((secret.spec as Record<string, unknown>).target);
            const used = [...template.matchAll(/\{\{[^}]*?\.([a-z_]+)/g)].map((m) => m[1]);
            const kind = kindOf(secret);
            expect(used.length).toBeGreaterThan(0);
            expect([kind, used.filter((key) => !outputs[kind].keys.includes(key))]).toEqual([
                kind,
                [],
            ]);
        }
    });

    test("staging: each ECR generator's IRSA ServiceAccount exists, annotated with the role, in the ExternalSecret's own namespace", () => {
        const all = objects("staging");
        const externalSecrets = all.filter((m) => m.kind === "ExternalSecret");
        expect(externalSecrets.map((m) => m.metadata?.namespace).sort()).toEqual([
            "analytics",
            "imaging",
            "pipeline-services",
        ]);
        for (const secret of externalSecrets) {
            const namespace = secret.metadata!.namespace!;
            const generator = all.find(
                (m) =>
                    m.kind === "ECRAuthorizationToken" &&
                    m.metadata?.namespace === namespace &&
                    m.metadata?.name === secret.metadata?.name,
            )!;
            const ref = (
                generator.spec as { auth: { jwt: { serviceAccountRef: Record<string, unknown> } } }
            ).auth.jwt.serviceAccountRef;
            // A namespace in the reference would be ignored: it must not pretend to point elsewhere.
            expect(ref.namespace).toBeUndefined();
            const account = all.find(
                (m) =>
                    m.kind === "ServiceAccount" &&
                    m.metadata?.namespace === namespace &&
                    m.metadata?.name === ref.name,
            );
            expect([namespace, account?.metadata?.annotations]).toEqual([
                namespace,
                {
                    [ESO.irsa.roleArnAnnotation]:
                        "arn:aws:iam::123456789012:role/pipeline-platform-staging-ecr-reader",
                },
            ]);
        }
    });
});

describe("Contour behaviour at the pinned release", () => {
    test("pulumi up waits for a status value Contour reports, at a field the CRD declares", () => {
        const proxies = objects("staging").filter((m) => m.kind === "HTTPProxy");
        expect(proxies.length).toBeGreaterThan(0);
        const httpProxy = CONTOUR.crds.find((c) => c.kind === "HTTPProxy")!;
        for (const proxy of proxies) {
            const waitFor = proxy.metadata?.annotations?.["pulumi.com/waitFor"] ?? "";
            const match = /^jsonpath=\{\.([a-zA-Z.]+)\}=(.+)$/.exec(waitFor);
            expect(match).not.toBeNull();
            const [, field, value] = match!;
            expect(schemaHasPath(httpProxy.openAPIV3Schema, field)).toBe(true);
            expect(CONTOUR.status.currentStatus).toContain(value);
            expect(value).not.toBe(CONTOUR.status.crdDefault);
        }
    });
});

import { declaredPrerequisites, type PlatformConfig } from "../../components/platform";

/** The parts of a platform config `declaredPrerequisites` reads, around a `change`. */
function config(change: Partial<PlatformConfig>): PlatformConfig {
    return {
        servicesNamespace: "pipeline-services",
        projects: { imaging: {} },
        registries: [],
        contour: { install: true },
        domains: { "example.com": {} },
        storage: { storages: {} },
        airflow: { database: { bundled: true } },
        ...change,
    };
}

describe("declaredPrerequisites", () => {
    test.each<[string, Partial<PlatformConfig>, ReturnType<typeof declaredPrerequisites>]>([
        ["nothing declared", {}, { crds: [], secrets: [], services: [] }],
        [
            "the external database's Secret, in the Airflow namespace",
            { airflow: { namespace: "airflow", database: { external: { secretName: "db" } } } },
            { crds: [], secrets: [{ namespace: "airflow", name: "db" }], services: [] },
        ],
        [
            "the Services behind each pipeline and its task routes",
            {
                pipelines: [
                    {
                        name: "segmentation",
                        namespace: "imaging",
                        service: "frontend",
                        port: 80,
                        tasks: [{ task: "otsu", service: "otsu-task", port: 8080 }],
                    },
                ],
            },
            {
                crds: [],
                secrets: [],
                services: [
                    { namespace: "imaging", name: "frontend" },
                    { namespace: "imaging", name: "otsu-task" },
                ],
            },
        ],
        [
            "the kinds of an existing Contour and External Secrets Operator",
            { contour: { existing: true }, externalSecrets: { existing: true } },
            {
                crds: [
                    "HTTPProxy.projectcontour.io",
                    "ExternalSecret.external-secrets.io",
                    "ClusterExternalSecret.external-secrets.io",
                    "ClusterGenerator.generators.external-secrets.io",
                    "ECRAuthorizationToken.generators.external-secrets.io",
                    "GCRAccessToken.generators.external-secrets.io",
                ],
                secrets: [],
                services: [],
            },
        ],
        [
            "explicit prerequisites first, then the implied ones",
            {
                prerequisites: {
                    crds: ["Certificate.cert-manager.io"],
                    storageClasses: ["efs-sc"],
                    secrets: [{ namespace: "imaging", name: "s3", keys: ["access-key"] }],
                },
                airflow: { database: { external: { secretName: "airflow-database" } } },
            },
            {
                crds: ["Certificate.cert-manager.io"],
                storageClasses: ["efs-sc"],
                secrets: [
                    { namespace: "imaging", name: "s3", keys: ["access-key"] },
                    { namespace: "pipeline-services", name: "airflow-database" },
                ],
                services: [],
            },
        ],
    ])("%s", (_title, change, expected) => {
        expect(declaredPrerequisites(config(change))).toEqual(expected);
    });

    test.each<[string, unknown, string]>([
        [
            "a kind without its group",
            { crds: ["Certificate"] },
            'pipeline-platform:platform.prerequisites.crds[0]: got "Certificate"; expected a custom resource kind as `<Kind>.<group>`: the kind as written in manifests, then its API group, e.g. HTTPProxy.projectcontour.io',
        ],
        [
            "a misspelt field",
            { storageClass: ["efs-sc"] },
            "pipeline-platform:platform.prerequisites.storageClass: unknown key; did you mean storageClasses?",
        ],
        [
            "a Secret without its namespace",
            { secrets: [{ name: "db" }] },
            "pipeline-platform:platform.prerequisites.secrets[0].namespace: got nothing; expected a DNS-1123 label (a Kubernetes namespace name: a DNS-1123 label), e.g. imaging",
        ],
        [
            "an empty `prerequisites:` in YAML",
            null,
            "pipeline-platform:platform.prerequisites: got null; expected an object with any of crds, namespaces, storageClasses, storageClassAccessModes, clusterIssuers, issuers, secrets, configMaps, serviceAccounts, persistentVolumeClaims, services, objects, e.g. {}",
        ],
    ])("refuses %s, naming the config path", (_title, prerequisites, message) => {
        expect(() =>
            declaredPrerequisites(
                config({ prerequisites: prerequisites as PlatformConfig["prerequisites"] }),
                "pipeline-platform:platform",
            ),
        ).toThrow(message);
    });
});

import { parse } from "yaml";
import {
    DATA_CLAIM_TEMPLATE,
    podTemplate,
    podTemplateFiles,
    profileNames,
    resolveProfile,
    runSettings,
    runSettingsFiles,
    type RunConfig,
} from "../../components/airflow/run-config";
import { apiServerProblems, type Manifest } from "../../components/testing";
import { seedRunConfig } from "./seed";

/** A schema error (an Ajv error object) or the error thrown, with the errors it carries. */
interface ValidationFailure {
    instancePath?: string;
    message?: string;
    errors?: ValidationFailure[];
}

/** The parts of a pod template these tests read. */
type PodTemplate = {
    metadata: unknown;
    spec: {
        nodeSelector?: unknown;
        tolerations?: unknown;
        securityContext?: unknown;
        containers: Array<Record<string, unknown>>;
        volumes?: unknown;
    };
};

/** Validates a Pod against the Kubernetes schema (kubernetes-models) and the API server's own rules. */
async function podProblems(pod: Manifest): Promise<string[]> {
    const { Pod } = await import("kubernetes-models/v1");
    const problems: string[] = [];
    try {
        new Pod(pod).validate();
    } catch (err) {
        const failure = err as ValidationFailure;
        problems.push(
            ...(failure?.errors ?? [failure]).map((e) => `${e.instancePath ?? ""} ${e.message}`),
        );
    }
    problems.push(...apiServerProblems(pod).map(([path, message]) => `${path} ${message}`));
    return problems;
}

describe("profile resolution", () => {
    const profiles = profileNames(seedRunConfig);

    test.each([
        ["a named profile that exists", "huge_machines", "huge_machines"],
        ["__default__ itself", "__default__", "__default__"],
        ["an unknown profile name", "tiny_machines", "__default__"],
        ["no profile", undefined, "__default__"],
    ])("%s resolves to its template", (_case, requested, expected) => {
        expect(resolveProfile(profiles, requested)).toBe(expected);
    });

    test("a named profile replaces __default__: nothing of __default__ is merged in", () => {
        const pod = podTemplate(seedRunConfig, "huge_machines") as PodTemplate;
        expect(pod.metadata).toEqual({ name: "kedro-task" });
        expect(pod.spec.nodeSelector).toEqual({ big_node_pool: "huge.10x" });
        expect(pod.spec.tolerations).toBeUndefined();
        expect(pod.spec.containers[0].resources).toEqual({
            requests: { cpu: "16", memory: "128Gi" },
            limits: { cpu: "32", memory: "256Gi" },
        });
    });

    test("__default__ is always produced, first, even without a resources section", () => {
        expect(profileNames({})).toEqual(["__default__"]);
        expect(profileNames(seedRunConfig)).toEqual(["__default__", "huge_machines"]);
        expect(Object.keys(podTemplateFiles({}))).toEqual(["__default__.yaml"]);
    });
});

describe("pod templates", () => {
    test.each<[string, boolean | undefined, boolean]>([
        ["by default", undefined, false],
        ["with serviceAccountToken: false", false, false],
        ["with serviceAccountToken: true", true, true],
    ])(
        "task pods mount an API token only when asked: %s",
        (_case, serviceAccountToken, mounted) => {
            const files = podTemplateFiles({ ...seedRunConfig, serviceAccountToken });
            for (const file of ["__default__.yaml", "huge_machines.yaml"]) {
                expect(parse(files[file]).spec.automountServiceAccountToken).toBe(mounted);
            }
        },
    );

    test("the seed's __default__ profile becomes this exact Pod", () => {
        expect(parse(podTemplateFiles(seedRunConfig)["__default__.yaml"])).toEqual({
            apiVersion: "v1",
            kind: "Pod",
            metadata: {
                name: "kedro-task",
                labels: { running: "airflow" },
                annotations: { "iam.amazonaws.com/role": "airflow" },
            },
            spec: {
                restartPolicy: "Never",
                serviceAccountName: "airflow",
                automountServiceAccountToken: false,
                imagePullSecrets: [{ name: "my-registry-credentials" }],
                nodeSelector: { "k8s.io/node_pool_label": "example_value" },
                tolerations: [
                    { key: "group", value: "data-processing", effect: "NoExecute" },
                    {
                        key: "group",
                        operator: "Equal",
                        value: "data-processing",
                        effect: "NoSchedule",
                    },
                ],
                securityContext: { seccompProfile: { type: "RuntimeDefault" }, fsGroup: 0 },
                containers: [
                    {
                        name: "base",
                        imagePullPolicy: "IfNotPresent",
                        securityContext: {
                            allowPrivilegeEscalation: false,
                            capabilities: { drop: ["ALL"] },
                        },
                        env: [
                            {
                                name: "SQL_CONN",
                                valueFrom: {
                                    secretKeyRef: {
                                        name: "airflow-secrets",
                                        key: "sql_alchemy_conn",
                                    },
                                },
                            },
                        ],
                        resources: {
                            requests: { cpu: "1", memory: "1Gi" },
                            limits: { cpu: "1", memory: "1Gi" },
                        },
                        volumeMounts: [{ name: "data", mountPath: "/home/kedro/data" }],
                    },
                ],
                volumes: [
                    { name: "data", persistentVolumeClaim: { claimName: DATA_CLAIM_TEMPLATE } },
                ],
            },
        });
    });

    test("keeps every toleration field, tolerationSeconds and Exists included", () => {
        const pod = podTemplate(
            {
                resources: {
                    __default__: {
                        tolerations: [
                            {
                                key: "spot",
                                operator: "Exists",
                                effect: "NoExecute",
                                tolerationSeconds: 300,
                            },
                            { operator: "Exists" },
                        ],
                    },
                },
            },
            "__default__",
        ) as PodTemplate;
        expect(pod.spec.tolerations).toEqual([
            { key: "spot", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
            { operator: "Exists" },
        ]);
    });

    test("secrets become secretKeyRef env, envFrom for a whole Secret, and read-only volumes at deployTarget", () => {
        const pod = podTemplate(
            {
                volume: { disabled: true },
                secrets: [
                    {
                        deployTarget: "SQL_CONN",
                        secret: "airflow-secrets",
                        key: "sql_alchemy_conn",
                    },
                    { secret: "mlflow-env" },
                    {
                        deployType: "volume",
                        deployTarget: "/var/secrets/gcp",
                        secret: "gcp-key",
                        key: "key.json",
                    },
                    { deployType: "volume", deployTarget: "/var/secrets/all", secret: "bundle" },
                ],
            },
            "__default__",
        ) as PodTemplate;
        expect(pod.spec.containers[0]).toEqual({
            name: "base",
            imagePullPolicy: "IfNotPresent",
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            env: [
                {
                    name: "SQL_CONN",
                    valueFrom: {
                        secretKeyRef: { name: "airflow-secrets", key: "sql_alchemy_conn" },
                    },
                },
            ],
            envFrom: [{ secretRef: { name: "mlflow-env" } }],
            volumeMounts: [
                { name: "secret-0", mountPath: "/var/secrets/gcp", readOnly: true },
                { name: "secret-1", mountPath: "/var/secrets/all", readOnly: true },
            ],
        });
        expect(pod.spec.volumes).toEqual([
            {
                name: "secret-0",
                secret: { secretName: "gcp-key", items: [{ key: "key.json", path: "key.json" }] },
            },
            { name: "secret-1", secret: { secretName: "bundle" } },
        ]);
    });

    test("without the shared volume there is no data volume and no fsGroup, and the pod stays hardened", () => {
        const pod = podTemplate(
            { volume: { disabled: true, owner: 1000 } },
            "__default__",
        ) as PodTemplate;
        expect(pod.spec).toEqual({
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            securityContext: { seccompProfile: { type: "RuntimeDefault" } },
            containers: [
                {
                    name: "base",
                    imagePullPolicy: "IfNotPresent",
                    securityContext: {
                        allowPrivilegeEscalation: false,
                        capabilities: { drop: ["ALL"] },
                    },
                },
            ],
        });
    });

    test("the shared volume sets fsGroup to the owner and mounts the per-run claim", () => {
        const pod = podTemplate(
            { volume: { owner: 1000, mountPath: "/data" }, imagePullPolicy: "Always" },
            "__default__",
        ) as PodTemplate;
        expect(pod.spec.securityContext).toEqual({
            seccompProfile: { type: "RuntimeDefault" },
            fsGroup: 1000,
        });
        expect(pod.spec.containers[0]).toEqual({
            name: "base",
            imagePullPolicy: "Always",
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            volumeMounts: [{ name: "data", mountPath: "/data" }],
        });
        expect(pod.spec.volumes).toEqual([
            {
                name: "data",
                persistentVolumeClaim: {
                    claimName:
                        "{{ dag.dag_id | lower | replace('_', '-') }}-data-{{ ts_nodash | lower }}",
                },
            },
        ]);
    });

    test.each([
        ["the seed", seedRunConfig],
        ["an empty run configuration", {}],
        [
            "secrets of every kind without a volume",
            {
                volume: { disabled: true },
                secrets: [
                    { secret: "a" },
                    { deployTarget: "B", secret: "b", key: "k" },
                    { deployType: "volume", deployTarget: "/c", secret: "c" },
                ],
            } satisfies RunConfig,
        ],
    ])("every template of %s parses as YAML and is a valid Pod", async (_case, config) => {
        for (const [file, text] of Object.entries(podTemplateFiles(config))) {
            expect([file, await podProblems(parse(text))]).toEqual([file, []]);
        }
    });
});

describe("run settings", () => {
    test("carry what is not a pod field, for DAG code", () => {
        expect(JSON.parse(runSettingsFiles(seedRunConfig)["run-config.json"])).toEqual({
            startupTimeoutSeconds: 600,
            imagePullPolicy: "IfNotPresent",
            profiles: ["__default__", "huge_machines"],
            defaultProfile: "__default__",
            podTemplatesPath: "/opt/airflow/kedro/pod-templates",
            volume: {
                enabled: true,
                claimNameTemplate: DATA_CLAIM_TEMPLATE,
                size: "1Gi",
                accessModes: ["ReadWriteOnce"],
                mountPath: "/home/kedro/data",
                owner: 0,
            },
        });
    });

    test("name the storage class only when one is given, never as the text None", () => {
        expect(runSettings({}).volume).not.toHaveProperty("storageClassName");
        expect(runSettingsFiles({})["run-config.json"]).not.toMatch(/None|null/);
        expect(
            runSettings({
                volume: {
                    storageClassName: "standard-rwo",
                    accessModes: ["ReadWriteMany"],
                    size: "10Gi",
                },
            }).volume,
        ).toEqual({
            enabled: true,
            claimNameTemplate: DATA_CLAIM_TEMPLATE,
            size: "10Gi",
            accessModes: ["ReadWriteMany"],
            storageClassName: "standard-rwo",
            mountPath: "/home/kedro/data",
            owner: 0,
        });
    });

    test("a disabled volume is only reported as disabled", () => {
        expect(
            runSettings({ volume: { disabled: true, size: "5Gi" }, startupTimeoutSeconds: 120 }),
        ).toEqual({
            startupTimeoutSeconds: 120,
            imagePullPolicy: "IfNotPresent",
            profiles: ["__default__"],
            defaultProfile: "__default__",
            podTemplatesPath: "/opt/airflow/kedro/pod-templates",
            volume: { enabled: false },
        });
    });
});

import { stringify } from "yaml";
import {
    configMapKeyProblems,
    dns1123SubdomainProblems,
    invalidInput,
    isNegativeQuantity,
    joinPath,
    labelValueProblems,
    qualifiedNameProblems,
    quantityProblems,
} from "../core";

/**
 * The kedro-airflow-k8s `run_config`, as the platform carries it to Airflow. Pod fields become pod
 * template files (one per resource profile); the rest becomes run settings for DAG code to read.
 * The image itself is not here: each task names it (e.g. a `ProcessingImage`'s `ref`).
 */
export interface RunConfig {
    /** Pull policy of the task container. Default `IfNotPresent`. Example: `Always` when tags are re-pushed. */
    imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
    /** Seconds a task pod may take to start before the task fails (kedro `startup_time`). Default `600`. */
    startupTimeoutSeconds?: number;
    /** Service account task pods run as (kedro `service_account_name`). Default: the namespace's `default`. */
    serviceAccountName?: string;
    /**
     * Project-scope registry Secrets for task pods (kedro `image_pull_secrets`), e.g. a project
     * `RegistrySecret`'s `secretName`. Default none.
     */
    imagePullSecrets?: string[];
    /** The shared data volume a run's tasks exchange files on (kedro `volume`). Default: enabled, 1Gi. */
    volume?: RunVolume;
    /** Secrets exposed to task pods (kedro `secrets`). Default none. */
    secrets?: RunSecret[];
    /**
     * Resource profiles by name (kedro `resources`): `__default__` and named ones such as
     * `huge_machines`, chosen per node with the kedro tag `resources:<name>`.
     */
    resources?: Record<string, ResourceProfile>;
}

/** kedro `run_config.volume`. */
export interface RunVolume {
    /** No shared volume at all; the other fields are ignored (kedro `disabled`). Default `false`. */
    disabled?: boolean;
    /** Storage class of the per-run claim (kedro `storageclass`). Default: the cluster's default class. */
    storageClassName?: string;
    /** Size of the per-run claim (kedro `size`). Default `1Gi`. */
    size?: string;
    /** Access modes of the per-run claim (kedro `access_modes`). Default `["ReadWriteOnce"]`. */
    accessModes?: Array<"ReadWriteOnce" | "ReadOnlyMany" | "ReadWriteMany" | "ReadWriteOncePod">;
    /** `fsGroup` of task pods, so they can write the volume (kedro `owner`). Default `0`. */
    owner?: number;
    /** Where task containers mount the volume. Default `/home/kedro/data`. */
    mountPath?: string;
}

/** kedro `run_config.secrets[]`. */
export interface RunSecret {
    /** `env` (default) or `volume` (kedro `deploy_type`). */
    deployType?: "env" | "volume";
    /**
     * The environment variable (for `env` with a `key`) or the mount path (for `volume`) (kedro
     * `deploy_target`). Example: `SQL_CONN` or `/var/secrets/sql`.
     */
    deployTarget?: string;
    /** Name of the Kubernetes Secret in the project namespace (kedro `secret`). Example: `airflow-secrets`. */
    secret: string;
    /**
     * One key of the Secret (kedro `key`). With `env`: without a key, every key of the Secret becomes
     * an environment variable. With `volume`: without a key, every key becomes a file.
     */
    key?: string;
}

/** kedro `run_config.resources.<profile>`. */
export interface ResourceProfile {
    /** Node labels the pod must run on (kedro `node_selectors`). Example: `{ "big_node_pool": "huge.10x" }`. */
    nodeSelectors?: Record<string, string>;
    /** Pod labels. Example: `{ running: "airflow" }`. */
    labels?: Record<string, string>;
    /** Pod annotations. Example: `{ "iam.amazonaws.com/role": "airflow" }`. */
    annotations?: Record<string, string>;
    /** Pod tolerations; every field kept as given. */
    tolerations?: RunToleration[];
    /** Resource requests. Example: `{ cpu: "1", memory: "1Gi" }`. */
    requests?: Record<string, string>;
    /** Resource limits. Example: `{ cpu: "2", memory: "2Gi" }`. */
    limits?: Record<string, string>;
}

/** A Kubernetes toleration. */
export interface RunToleration {
    key?: string;
    /** `Equal` (default) or `Exists`; `Exists` takes no value. */
    operator?: "Equal" | "Exists";
    value?: string;
    /** `NoSchedule`, `PreferNoSchedule` or `NoExecute`; omitted matches every effect. */
    effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
    /** With `NoExecute`: how long the pod stays bound after the taint appears. */
    tolerationSeconds?: number;
}

/** The profile every task gets unless it names another one that exists. */
export const DEFAULT_PROFILE = "__default__";
/** Where the pod template files are mounted in the scheduler, workers and DAG processor. */
export const POD_TEMPLATES_PATH = "/opt/airflow/kedro/pod-templates";
/** Where the run settings (`run-config.json`) are mounted in the scheduler, workers and DAG processor. */
export const RUN_SETTINGS_PATH = "/opt/airflow/kedro/run-config";
/** The run settings file name inside {@link RUN_SETTINGS_PATH}. */
export const RUN_SETTINGS_FILE = "run-config.json";
/**
 * Name of the claim a run's tasks share: a Jinja template, rendered per DAG run by Airflow when the
 * task's `pod_template_file` is read (KubernetesPodOperator templates `.yaml` files).
 */
export const DATA_CLAIM_TEMPLATE =
    "{{ dag.dag_id | lower | replace('_', '-') }}-data-{{ ts_nodash | lower }}";

/** The container the KubernetesPodOperator fills in (image, command) from the task. */
const TASK_CONTAINER = "base";
const DATA_VOLUME = "data";
const EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];
const ACCESS_MODES = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"];
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * The profile a task gets: the named profile when it exists (it replaces `__default__`, nothing is
 * merged), otherwise `__default__`. Same rule as kedro-airflow-k8s's `resources:<name>` node tag.
 */
export function resolveProfile(profiles: readonly string[], requested?: string): string {
    return requested !== undefined && profiles.includes(requested) ? requested : DEFAULT_PROFILE;
}

/** The profile names a run configuration produces templates for: `__default__` first, always. */
export function profileNames(config: RunConfig): string[] {
    const named = Object.keys(config.resources ?? {})
        .filter((p) => p !== DEFAULT_PROFILE)
        .sort();
    return [DEFAULT_PROFILE, ...named];
}

/** Checks every field of a run configuration; throws an InputPropertyError naming the first bad one. */
export function validateRunConfig(config: RunConfig, path: string): void {
    if (config.imagePullPolicy !== undefined && !PULL_POLICIES.includes(config.imagePullPolicy)) {
        invalidInput({
            path: joinPath(path, "imagePullPolicy"),
            given: config.imagePullPolicy,
            expected: PULL_POLICIES.join(", "),
            example: "IfNotPresent",
        });
    }
    const timeout = config.startupTimeoutSeconds;
    if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0)) {
        invalidInput({
            path: joinPath(path, "startupTimeoutSeconds"),
            given: timeout,
            expected: "a whole number of seconds above 0",
            example: "600",
        });
    }
    if (config.serviceAccountName !== undefined) {
        requireSubdomain(
            config.serviceAccountName,
            joinPath(path, "serviceAccountName"),
            "airflow",
        );
    }
    (config.imagePullSecrets ?? []).forEach((s, i) =>
        requireSubdomain(s, joinPath(joinPath(path, "imagePullSecrets"), i), "project-registry"),
    );
    validateVolume(config.volume ?? {}, joinPath(path, "volume"));
    (config.secrets ?? []).forEach((s, i) =>
        validateSecret(s, joinPath(joinPath(path, "secrets"), i)),
    );
    for (const [name, profile] of Object.entries(config.resources ?? {})) {
        validateProfile(name, profile, joinPath(joinPath(path, "resources"), name));
    }
}

function requireSubdomain(value: string, path: string, example: string): void {
    const problems =
        typeof value === "string" ? dns1123SubdomainProblems(value) : ["must be a string"];
    if (problems.length > 0) {
        invalidInput({
            path,
            given: value,
            expected: `a Kubernetes object name (${problems.join("; ")})`,
            example,
        });
    }
}

function requireQuantity(value: string, path: string, example: string): void {
    const text = String(value);
    const problems = quantityProblems(text);
    if (problems.length > 0 || isNegativeQuantity(text)) {
        invalidInput({
            path,
            given: value,
            expected: problems[0] ?? "a quantity that is not negative",
            example,
        });
    }
}

function validateVolume(volume: RunVolume, path: string): void {
    if (volume.storageClassName !== undefined) {
        requireSubdomain(
            volume.storageClassName,
            joinPath(path, "storageClassName"),
            "standard-rwo",
        );
    }
    if (volume.size !== undefined) {
        requireQuantity(volume.size, joinPath(path, "size"), "1Gi");
    }
    const modes = volume.accessModes;
    if (modes !== undefined) {
        if (modes.length === 0) {
            invalidInput({
                path: joinPath(path, "accessModes"),
                given: modes,
                expected: "at least one access mode",
                example: '["ReadWriteMany"]',
            });
        }
        modes.forEach((m, i) => {
            if (!ACCESS_MODES.includes(m)) {
                invalidInput({
                    path: joinPath(joinPath(path, "accessModes"), i),
                    given: m,
                    expected: ACCESS_MODES.join(", "),
                    example: "ReadWriteMany",
                });
            }
        });
    }
    if (volume.owner !== undefined && !(Number.isInteger(volume.owner) && volume.owner >= 0)) {
        invalidInput({
            path: joinPath(path, "owner"),
            given: volume.owner,
            expected: "a group id, a whole number from 0",
            example: "0",
        });
    }
    if (volume.mountPath !== undefined && !volume.mountPath.startsWith("/")) {
        invalidInput({
            path: joinPath(path, "mountPath"),
            given: volume.mountPath,
            expected: "an absolute path",
            example: "/home/kedro/data",
        });
    }
}

function validateSecret(secret: RunSecret, path: string): void {
    requireSubdomain(secret.secret, joinPath(path, "secret"), "airflow-secrets");
    const type = secret.deployType ?? "env";
    const target = secret.deployTarget;
    if (type !== "env" && type !== "volume") {
        invalidInput({
            path: joinPath(path, "deployType"),
            given: type,
            expected: "env or volume",
            example: "env",
        });
    }
    if (secret.key !== undefined && configMapKeyProblems(secret.key).length > 0) {
        invalidInput({
            path: joinPath(path, "key"),
            given: secret.key,
            expected: "a Secret key (letters, digits, '-', '_', '.')",
            example: "sql_alchemy_conn",
        });
    }
    if (type === "volume") {
        if (target === undefined || !target.startsWith("/")) {
            invalidInput({
                path: joinPath(path, "deployTarget"),
                given: target,
                expected: "the absolute path a volume secret is mounted at",
                example: "/var/secrets/sql",
            });
        }
        return;
    }
    if (secret.key !== undefined && target === undefined) {
        invalidInput({
            path: joinPath(path, "deployTarget"),
            given: target,
            expected: "the environment variable that receives the secret's key",
            example: "SQL_CONN",
        });
    }
    if (secret.key === undefined && target !== undefined) {
        invalidInput({
            path: joinPath(path, "deployTarget"),
            given: target,
            expected:
                "no deployTarget when no key is given: every key of the Secret becomes an environment variable",
            example: '{ secret: "airflow-secrets" }',
        });
    }
    if (target !== undefined && !ENV_NAME.test(target)) {
        invalidInput({
            path: joinPath(path, "deployTarget"),
            given: target,
            expected:
                "an environment variable name (letters, digits, '_', '-', '.', not starting with a digit)",
            example: "SQL_CONN",
        });
    }
}

function validateProfile(name: string, profile: ResourceProfile, path: string): void {
    const keyProblems = configMapKeyProblems(`${name}.yaml`);
    if (keyProblems.length > 0 || name.length === 0 || name.startsWith(".")) {
        invalidInput({
            path,
            given: name,
            expected:
                "a profile name usable as a ConfigMap key: letters, digits, '-', '_', '.', not starting with '.'",
            example: "huge_machines",
        });
    }
    validateLabels(profile.nodeSelectors ?? {}, joinPath(path, "nodeSelectors"));
    validateLabels(profile.labels ?? {}, joinPath(path, "labels"));
    for (const key of Object.keys(profile.annotations ?? {})) {
        const problems = qualifiedNameProblems(key);
        if (problems.length > 0) {
            invalidInput({
                path: joinPath(joinPath(path, "annotations"), key),
                given: key,
                expected: `an annotation key (${problems.join("; ")})`,
                example: "iam.amazonaws.com/role",
            });
        }
    }
    (profile.tolerations ?? []).forEach((t, i) =>
        validateToleration(t, joinPath(joinPath(path, "tolerations"), i)),
    );
    for (const field of ["requests", "limits"] as const) {
        for (const [resource, quantity] of Object.entries(profile[field] ?? {})) {
            requireQuantity(
                quantity,
                joinPath(joinPath(path, field), resource),
                resource === "memory" ? "1Gi" : "500m",
            );
        }
    }
}

function validateLabels(labels: Record<string, string>, path: string): void {
    for (const [key, value] of Object.entries(labels)) {
        const keyProblems = qualifiedNameProblems(key);
        if (keyProblems.length > 0) {
            invalidInput({
                path: joinPath(path, key),
                given: key,
                expected: `a label key (${keyProblems.join("; ")})`,
                example: "cloud.google.com/gke-nodepool",
            });
        }
        const valueProblems =
            typeof value === "string" ? labelValueProblems(value) : ["must be a string"];
        if (valueProblems.length > 0) {
            invalidInput({
                path: joinPath(path, key),
                given: value,
                expected: `a label value (${valueProblems.join("; ")})`,
                example: "huge.10x",
            });
        }
    }
}

function validateToleration(t: RunToleration, path: string): void {
    const operator = t.operator ?? "Equal";
    if (operator !== "Equal" && operator !== "Exists") {
        invalidInput({
            path: joinPath(path, "operator"),
            given: t.operator,
            expected: "Equal or Exists",
            example: "Equal",
        });
    }
    if (operator === "Exists" && t.value !== undefined) {
        invalidInput({
            path: joinPath(path, "value"),
            given: t.value,
            expected: "no value with operator Exists (it matches any value)",
            example: '{ key: "group", operator: "Exists", effect: "NoSchedule" }',
        });
    }
    if (t.effect !== undefined && !EFFECTS.includes(t.effect)) {
        invalidInput({
            path: joinPath(path, "effect"),
            given: t.effect,
            expected: EFFECTS.join(", "),
            example: "NoSchedule",
        });
    }
    if (t.tolerationSeconds !== undefined && !Number.isInteger(t.tolerationSeconds)) {
        invalidInput({
            path: joinPath(path, "tolerationSeconds"),
            given: t.tolerationSeconds,
            expected: "a whole number of seconds",
            example: "300",
        });
    }
}

/**
 * One complete Pod manifest per resource profile, as a plain object. The KubernetesPodOperator fills
 * in the namespace, name, image and command of the `base` container from the task.
 */
export function podTemplate(config: RunConfig, profileName: string): Record<string, unknown> {
    const profile = config.resources?.[profileName] ?? {};
    const volume = config.volume ?? {};
    const withVolume = !volume.disabled;
    const env = (config.secrets ?? [])
        .filter((s) => (s.deployType ?? "env") === "env" && s.key !== undefined)
        .map((s) => ({
            name: s.deployTarget,
            valueFrom: { secretKeyRef: { name: s.secret, key: s.key } },
        }));
    const envFrom = (config.secrets ?? [])
        .filter((s) => (s.deployType ?? "env") === "env" && s.key === undefined)
        .map((s) => ({ secretRef: { name: s.secret } }));
    const secretVolumes = (config.secrets ?? [])
        .filter((s) => s.deployType === "volume")
        .map((s, i) => ({
            volume: {
                name: `secret-${i}`,
                secret: compact({
                    secretName: s.secret,
                    items: s.key === undefined ? undefined : [{ key: s.key, path: s.key }],
                }),
            },
            mount: { name: `secret-${i}`, mountPath: s.deployTarget, readOnly: true },
        }));
    const volumes = [
        ...(withVolume
            ? [{ name: DATA_VOLUME, persistentVolumeClaim: { claimName: DATA_CLAIM_TEMPLATE } }]
            : []),
        ...secretVolumes.map((v) => v.volume),
    ];
    const volumeMounts = [
        ...(withVolume
            ? [{ name: DATA_VOLUME, mountPath: volume.mountPath ?? "/home/kedro/data" }]
            : []),
        ...secretVolumes.map((v) => v.mount),
    ];
    const resources = compact({
        requests: nonEmpty(profile.requests),
        limits: nonEmpty(profile.limits),
    });
    const container = compact({
        name: TASK_CONTAINER,
        imagePullPolicy: config.imagePullPolicy ?? "IfNotPresent",
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        env: nonEmpty(env),
        envFrom: nonEmpty(envFrom),
        resources: nonEmpty(resources),
        volumeMounts: nonEmpty(volumeMounts),
    });
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: compact({
            name: "kedro-task",
            labels: nonEmpty(profile.labels),
            annotations: nonEmpty(profile.annotations),
        }),
        spec: compact({
            restartPolicy: "Never",
            serviceAccountName: config.serviceAccountName,
            imagePullSecrets: nonEmpty((config.imagePullSecrets ?? []).map((name) => ({ name }))),
            nodeSelector: nonEmpty(profile.nodeSelectors),
            tolerations: nonEmpty((profile.tolerations ?? []).map((t) => compact({ ...t }))),
            // Restricted pod security, except runAsNonRoot: the task image is the user's and may run as root.
            securityContext: {
                seccompProfile: { type: "RuntimeDefault" },
                ...(withVolume ? { fsGroup: volume.owner ?? 0 } : {}),
            },
            containers: [container],
            volumes: nonEmpty(volumes),
        }),
    };
}

/** The pod template files: `<profile>.yaml` -> a Pod manifest in YAML, `__default__.yaml` always present. */
export function podTemplateFiles(config: RunConfig): Record<string, string> {
    const files: Record<string, string> = {};
    for (const profile of profileNames(config)) {
        // No line folding: the text is also a Jinja template Airflow renders per run.
        files[`${profile}.yaml`] = stringify(podTemplate(config, profile), { lineWidth: 0 });
    }
    return files;
}

/**
 * The run settings that are not pod fields, as `run-config.json` for DAG code. A storage class is
 * only present when one was given: absent means the cluster's default class (never the text "None").
 */
export function runSettings(config: RunConfig): Record<string, unknown> {
    const volume = config.volume ?? {};
    return {
        startupTimeoutSeconds: config.startupTimeoutSeconds ?? 600,
        imagePullPolicy: config.imagePullPolicy ?? "IfNotPresent",
        profiles: profileNames(config),
        defaultProfile: DEFAULT_PROFILE,
        podTemplatesPath: POD_TEMPLATES_PATH,
        volume: volume.disabled
            ? { enabled: false }
            : compact({
                  enabled: true,
                  claimNameTemplate: DATA_CLAIM_TEMPLATE,
                  size: volume.size ?? "1Gi",
                  accessModes: volume.accessModes ?? ["ReadWriteOnce"],
                  storageClassName: volume.storageClassName,
                  mountPath: volume.mountPath ?? "/home/kedro/data",
                  owner: volume.owner ?? 0,
              }),
    };
}

/** The run settings ConfigMap data: one `run-config.json` file. */
export function runSettingsFiles(config: RunConfig): Record<string, string> {
    return { [RUN_SETTINGS_FILE]: `${JSON.stringify(runSettings(config), null, 2)}\n` };
}

function nonEmpty<T>(value: T[] | Record<string, T> | undefined): typeof value | undefined {
    if (value === undefined) {
        return undefined;
    }
    return (Array.isArray(value) ? value.length : Object.keys(value).length) > 0
        ? value
        : undefined;
}

/** Drops undefined fields, so no object carries empty keys. */
function compact<T extends Record<string, unknown>>(value: T): T {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

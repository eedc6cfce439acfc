import { stringify } from "yaml";
import {
    invalidInput,
    joinPath,
    type LabelKey,
    type Labels,
    type LabelValue,
    type Quantity,
    type SecretName,
} from "../core";

/**
 * The kedro-airflow-k8s `run_config`, as the platform carries it to Airflow. Pod fields become pod
 * template files (one per resource profile); the rest becomes run settings for DAG code to read.
 * The image itself is not here: each task names it (e.g. a `ProcessingImage`'s `ref`).
 */
export interface RunConfig {
    /**
     * Pull policy of the task container (kedro `image_pull_policy`). Default `IfNotPresent`;
     * `Always` when tags are re-pushed.
     * @example "IfNotPresent"
     */
    imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
    /**
     * Seconds a task pod may take to start before the task fails. Default `600`. kedro reads this
     * setting as `startup_timeout` (its documentation writes `startup_time`, which it ignores).
     * @asType integer
     * @minimum 1
     * @example 600
     */
    startupTimeoutSeconds?: number;
    /**
     * Service account task pods run as (kedro `service_account_name`). Default: the project
     * namespace's `default`.
     * @example "kedro"
     */
    serviceAccountName?: SecretName;
    /**
     * Project-scope registry Secrets for task pods (kedro `image_pull_secrets`), e.g. a project
     * `RegistrySecret`'s `secretName`. Default none.
     * @example ["project-registry"]
     */
    imagePullSecrets?: SecretName[];
    /**
     * The shared data volume a run's tasks exchange files on (kedro `volume`). Default: enabled,
     * 1Gi, ReadWriteOnce.
     * @example { size: "10Gi", accessModes: ["ReadWriteMany"], owner: 1000 }
     */
    volume?: RunVolume;
    /**
     * Secrets exposed to task pods (kedro `secrets`). Default none.
     * @example [{ deployType: "env", deployTarget: "SQL_CONN", secret: "airflow-secrets", key: "sql_alchemy_conn" }]
     */
    secrets?: RunSecret[];
    /**
     * Resource profiles by name (kedro `resources`): `__default__` and named ones such as
     * `huge_machines`, chosen per node with the kedro tag `resources:<name>`. Default none (a
     * `__default__` template without resources is written anyway).
     * @propertyNames { "type": "string", "pattern": "^[-_a-zA-Z0-9][-._a-zA-Z0-9]*$", "maxLength": 248, "description": "A profile name: letters, digits, '-', '_' and '.', not starting with '.' (it names the pod template file <profile>.yaml)", "examples": ["huge_machines"] }
     * @example { __default__: { requests: { cpu: "1", memory: "1Gi" } }, huge_machines: { requests: { cpu: "16", memory: "128Gi" } } }
     */
    resources?: Record<string, ResourceProfile>;
    /**
     * Lets the Airflow worker and scheduler exec into task pods: adds `pods/exec` (create, get) to
     * the pod-launcher Role in every project namespace. Only KubernetesPodOperator tasks with
     * `do_xcom_push=True` need it (their result is read from the XCom sidecar with exec). Default
     * `false`: no exec into task pods.
     * @example false
     */
    podExec?: boolean;
    /**
     * Mounts the task service account's API token into task pods, for task code that calls the
     * Kubernetes API. Default `false`: task pods get no token (`automountServiceAccountToken: false`).
     * @example false
     */
    serviceAccountToken?: boolean;
}

/** How a volume claim may be mounted. */
export type VolumeAccessMode =
    "ReadWriteOnce" | "ReadOnlyMany" | "ReadWriteMany" | "ReadWriteOncePod";

/**
 * The name of a StorageClass: a DNS-1123 subdomain.
 * @format dns-subdomain
 * @example "standard-rwo"
 */
export type StorageClassName = string;

/** kedro `run_config.volume`. */
export interface RunVolume {
    /**
     * No shared volume at all; the other fields are ignored (kedro `disabled`). Default `false`.
     * @example false
     */
    disabled?: boolean;
    /**
     * Storage class of the per-run claim (kedro `storageclass`). Default: the cluster's default class.
     * @example "standard-rwo"
     */
    storageClassName?: StorageClassName;
    /**
     * Size of the per-run claim (kedro `size`). Default `1Gi`.
     * @example "10Gi"
     */
    size?: Quantity;
    /**
     * Access modes of the per-run claim (kedro `access_modes`). Default `["ReadWriteOnce"]`.
     * @minItems 1
     * @uniqueItems true
     * @example ["ReadWriteMany"]
     */
    accessModes?: VolumeAccessMode[];
    /**
     * `fsGroup` of task pods, so they can write the volume (kedro `owner`). Default `0`.
     * @asType integer
     * @minimum 0
     * @maximum 2147483647
     * @example 1000
     */
    owner?: number;
    /**
     * An absolute path where task containers mount the volume. Default `/home/kedro/data`.
     * @pattern ^/
     * @example "/home/kedro/data"
     */
    mountPath?: string;
}

/** kedro `run_config.secrets[]`. */
export interface RunSecret {
    /**
     * How the Secret reaches the task container: `env` (default) or `volume` (kedro `deploy_type`).
     * @example "env"
     */
    deployType?: "env" | "volume";
    /**
     * The environment variable (for `env` with a `key`) or the absolute mount path (for `volume`)
     * (kedro `deploy_target`). Without a `key`, `env` takes none: every key becomes a variable.
     * @minLength 1
     * @example "SQL_CONN"
     */
    deployTarget?: string;
    /**
     * Name of the Kubernetes Secret in the project namespace (kedro `secret`).
     * @example "airflow-secrets"
     */
    secret: SecretName;
    /**
     * One key of the Secret (kedro `key`). With `env`: without a key, every key of the Secret becomes
     * an environment variable. With `volume`: without a key, every key becomes a file.
     * @format secret-key
     * @example "sql_alchemy_conn"
     */
    key?: string;
}

/**
 * Resource quantities by resource name (`cpu`, `memory`, `nvidia.com/gpu` …).
 * @propertyNames { "format": "label-key" }
 * @example { cpu: "1", memory: "1Gi" }
 */
export type ResourceList = Record<string, Quantity>;

/** kedro `run_config.resources.<profile>`. */
export interface ResourceProfile {
    /**
     * Node labels the pod must run on (kedro `node_selectors`).
     * @example { "cloud.google.com/gke-nodepool": "default-pool" }
     */
    nodeSelectors?: Labels;
    /**
     * Pod labels (kedro `labels`).
     * @example { running: "airflow" }
     */
    labels?: Labels;
    /**
     * Pod annotations (kedro `annotations`).
     * @propertyNames { "format": "label-key" }
     * @example { "iam.amazonaws.com/role": "airflow" }
     */
    annotations?: Record<string, string>;
    /**
     * Pod tolerations (kedro `tolerations`); every field kept as given.
     * @example [{ key: "group", value: "data-processing", effect: "NoSchedule" }]
     */
    tolerations?: RunToleration[];
    /**
     * Resource requests of the task container (kedro `requests`).
     * @example { cpu: "1", memory: "1Gi" }
     */
    requests?: ResourceList;
    /**
     * Resource limits of the task container (kedro `limits`).
     * @example { cpu: "2", memory: "2Gi" }
     */
    limits?: ResourceList;
}

/** A Kubernetes toleration. */
export interface RunToleration {
    /**
     * The taint key it tolerates. Default: every key (with `Exists`).
     * @example "group"
     */
    key?: LabelKey;
    /**
     * `Equal` (default) or `Exists`; `Exists` takes no value.
     * @example "Equal"
     */
    operator?: "Equal" | "Exists";
    /**
     * The taint value it tolerates, with `Equal`.
     * @example "data-processing"
     */
    value?: LabelValue;
    /**
     * The taint effect it tolerates. Default: every effect.
     * @example "NoSchedule"
     */
    effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
    /**
     * With `NoExecute`: how long the pod stays bound after the taint appears, in seconds.
     * @asType integer
     * @example 300
     */
    tolerationSeconds?: number;
}

/** What a run configuration becomes: the files of its two ConfigMaps. */
export interface PlannedRunConfig {
    /** `<profile>.yaml` -> a Pod manifest; see {@link podTemplateFiles}. */
    podTemplates: Record<string, string>;
    /** `run-config.json`; see {@link runSettingsFiles}. */
    runSettings: Record<string, string>;
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
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * The profile a task gets: the named profile when it exists (it replaces `__default__`, nothing is
 * merged), otherwise `__default__`. kedro-airflow-k8s differs for a name no profile has: it gives
 * the node an empty profile (cluster defaults). Falling back to `__default__` is the safer choice:
 * a misspelt `resources:<name>` tag still gets the default requests, limits and node selectors.
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

/**
 * Checks the rules of a run configuration that its types cannot carry (which `deployTarget` goes
 * with which secret `deployType` and `key`; `Exists` tolerations take no value) and renders its
 * files. `config` has passed the shape check; refusal paths are relative to it.
 */
export function planRunConfig(config: RunConfig): PlannedRunConfig {
    (config.secrets ?? []).forEach((secret, i) => checkSecret(secret, joinPath("secrets", i)));
    for (const [name, profile] of Object.entries(config.resources ?? {})) {
        (profile.tolerations ?? []).forEach((toleration, i) => {
            if (toleration.operator === "Exists" && toleration.value !== undefined) {
                invalidInput({
                    path: joinPath(
                        joinPath(joinPath(joinPath("resources", name), "tolerations"), i),
                        "value",
                    ),
                    given: toleration.value,
                    expected: "no value with operator Exists (it matches any value)",
                    example: '{ key: "group", operator: "Exists", effect: "NoSchedule" }',
                });
            }
        });
    }
    return { podTemplates: podTemplateFiles(config), runSettings: runSettingsFiles(config) };
}

function checkSecret(secret: RunSecret, path: string): void {
    const target = secret.deployTarget;
    const targetPath = joinPath(path, "deployTarget");
    if (secret.deployType === "volume") {
        if (target === undefined || !target.startsWith("/")) {
            invalidInput({
                path: targetPath,
                given: target,
                expected: "the absolute path a volume secret is mounted at",
                example: "/var/secrets/sql",
            });
        }
        return;
    }
    if (secret.key !== undefined && target === undefined) {
        invalidInput({
            path: targetPath,
            given: target,
            expected: "the environment variable that receives the secret's key",
            example: "SQL_CONN",
        });
    }
    if (secret.key === undefined && target !== undefined) {
        invalidInput({
            path: targetPath,
            given: target,
            expected:
                "no deployTarget when no key is given: every key of the Secret becomes an environment variable",
            example: '{ secret: "airflow-secrets" }',
        });
    }
    if (target !== undefined && !ENV_NAME.test(target)) {
        invalidInput({
            path: targetPath,
            given: target,
            expected:
                "an environment variable name (letters, digits, '_', '-', '.', not starting with a digit)",
            example: "SQL_CONN",
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
            // Task code does not call the Kubernetes API unless the run configuration says so.
            automountServiceAccountToken: config.serviceAccountToken === true,
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

import * as pulumi from "@pulumi/pulumi";
import { CREDENTIAL_NAME, holdsDeferred, invalidInput, isPlainObject, joinPath } from "../core";
import { AIRFLOW_VERSION } from "./chart";
import { POD_TEMPLATES_PATH, RUN_SETTINGS_PATH } from "./run-config";

/**
 * An Airflow executor the deployment supports.
 * @example "KubernetesExecutor"
 */
export type Executor = "KubernetesExecutor" | "CeleryExecutor" | "LocalExecutor";

/**
 * The chart components that run Airflow code, by values key, with the suffix of their service
 * account's name. Each has `serviceAccount.name` and `serviceAccount.annotations` in the 1.19.0
 * chart (test/fixtures/airflow-chart/release-1.19.0-facts.json); `workers` serves the
 * KubernetesExecutor's worker pods too.
 */
export const AIRFLOW_COMPONENTS = {
    scheduler: "scheduler",
    workers: "worker",
    apiServer: "api-server",
    triggerer: "triggerer",
    dagProcessor: "dag-processor",
} as const;

/** A chart component that runs Airflow code. */
export type AirflowComponent = keyof typeof AIRFLOW_COMPONENTS;

/** Where remote logs go and how Airflow's connection to them is supplied. */
export interface LogsPlan {
    /** `remote_base_log_folder`: `s3://<bucket>/<prefix>` or `gs://<bucket>/<prefix>`. */
    folder: pulumi.Input<string>;
    connectionId: pulumi.Input<string>;
    /** A Secret whose keys (`AIRFLOW_CONN_<ID>`) hold the connection with its credentials. */
    connectionSecretName?: pulumi.Input<string>;
    /** The connection itself, without credentials, as an environment variable. */
    connectionEnv?: { name: string; value: string };
}

/**
 * Everything the computed chart values depend on. The Secret names, the log bucket and the
 * connection id may be Outputs: their string shape is checked by the args' shape check once they
 * are known, and every chart position they fill takes any string.
 */
export interface ValuesPlan {
    executor: Executor;
    /** Release namespace: KubernetesExecutor watches it together with the project namespaces. */
    namespace: string;
    airflowImage?: { repository: string; tag: string };
    /** The registry Secrets the chart's images are pulled with (`imagePullSecrets`). */
    imagePullSecrets: pulumi.Input<string>[];
    database: { metadataSecretName: pulumi.Input<string> } | { bundled: true };
    dagsClaimName: string;
    secretNames: {
        fernetKey: string;
        apiSecretKey: string;
        jwtSecret: string;
    };
    /** The service account of each chart component that runs Airflow code. */
    serviceAccounts: Record<AirflowComponent, string>;
    /** Annotations of those service accounts: the workload identity they are handed. */
    serviceAccountAnnotations?: Record<string, string>;
    projectNamespaces: string[];
    logs?: LogsPlan;
    runConfigMaps?: { podTemplates: string; runSettings: string };
    /** The chart's `dags.gitSync` values, when DAGs come from git. */
    gitSync?: Record<string, unknown>;
    /** The chart's `pgbouncer` values, when PgBouncer is on. */
    pgbouncer?: Record<string, unknown>;
    /** The chart's `workers.keda` values, when the Celery workers autoscale. */
    keda?: Record<string, unknown>;
}

/**
 * The chart values the component computes (before the user's `values` are merged). Credentials never
 * appear: the chart receives Secret names only.
 */
export function airflowValues(plan: ValuesPlan): Record<string, unknown> {
    const config: Record<string, unknown> = {};
    const values: Record<string, unknown> = {
        executor: plan.executor,
        airflowVersion: AIRFLOW_VERSION,
        defaultAirflowTag: AIRFLOW_VERSION,
        fernetKeySecretName: plan.secretNames.fernetKey,
        apiSecretKeySecretName: plan.secretNames.apiSecretKey,
        jwtSecretName: plan.secretNames.jwtSecret,
        // Hooks deadlock under an awaited install: the jobs run as plain Jobs the Release waits for.
        migrateDatabaseJob: { useHelmHooks: false },
        // No admin/admin user: users come from the auth manager or `airflow users create`. The chart
        // runs its user job when `createUserJob.enabled` (default true) or `webserver.defaultUser.enabled`.
        createUserJob: { enabled: false, useHelmHooks: false },
        dags: {
            persistence: { enabled: true, existingClaim: plan.dagsClaimName },
            ...(plan.gitSync ? { gitSync: plan.gitSync } : {}),
        },
        ...(plan.keda ? { workers: { keda: plan.keda } } : {}),
        config,
    };
    const annotations = plan.serviceAccountAnnotations;
    for (const [component, name] of Object.entries(plan.serviceAccounts)) {
        values[component] = {
            ...((values[component] ?? {}) as Record<string, unknown>),
            serviceAccount: { name, ...(annotations ? { annotations } : {}) },
        };
    }
    if (plan.pgbouncer) {
        values.pgbouncer = plan.pgbouncer;
    }
    if (plan.airflowImage) {
        values.images = {
            airflow: { repository: plan.airflowImage.repository, tag: plan.airflowImage.tag },
        };
    }
    if (plan.imagePullSecrets.length > 0) {
        values.imagePullSecrets = plan.imagePullSecrets;
    }
    if ("metadataSecretName" in plan.database) {
        values.data = { metadataSecretName: plan.database.metadataSecretName };
        values.postgresql = { enabled: false };
    } else {
        values.postgresql = { enabled: true };
    }
    if (plan.logs) {
        config.logging = {
            remote_logging: "True",
            remote_base_log_folder: plan.logs.folder,
            remote_log_conn_id: plan.logs.connectionId,
        };
        if (plan.logs.connectionSecretName !== undefined) {
            // The connection Secret's keys (AIRFLOW_CONN_<ID>) become environment variables of every
            // Airflow container and of KubernetesExecutor worker pods; the values never see the credential.
            values.extraEnvFrom = concat(
                "- secretRef:\n    name: ",
                plan.logs.connectionSecretName,
                "\n",
            );
        }
        if (plan.logs.connectionEnv !== undefined) {
            // A connection without credentials: where the logs are, nothing that opens them.
            values.env = [plan.logs.connectionEnv];
        }
    }
    if (plan.executor === "KubernetesExecutor" && plan.projectNamespaces.length > 0) {
        // Airflow's own multi-namespace mode with an explicit list: the chart's `multiNamespaceMode`
        // would grant a cluster-wide ClusterRole; the list needs only the Roles this component creates.
        config.kubernetes_executor = {
            multi_namespace_mode: "True",
            multi_namespace_mode_namespace_list: [plan.namespace, ...plan.projectNamespaces].join(
                ",",
            ),
        };
    }
    if (plan.runConfigMaps) {
        const volumes = [
            { name: "kedro-pod-templates", configMap: { name: plan.runConfigMaps.podTemplates } },
            { name: "kedro-run-config", configMap: { name: plan.runConfigMaps.runSettings } },
        ];
        const mounts = [
            { name: "kedro-pod-templates", mountPath: POD_TEMPLATES_PATH, readOnly: true },
            { name: "kedro-run-config", mountPath: RUN_SETTINGS_PATH, readOnly: true },
        ];
        for (const component of ["workers", "scheduler", "dagProcessor"]) {
            values[component] = {
                ...((values[component] ?? {}) as Record<string, unknown>),
                extraVolumes: volumes,
                extraVolumeMounts: mounts,
            };
        }
    }
    if (Object.keys(config).length === 0) {
        delete values.config;
    }
    return values;
}

/** Text from known parts and Inputs: a plain string when every part is known, an Output otherwise. */
export function concat(...parts: pulumi.Input<string>[]): pulumi.Input<string> {
    return parts.every((part) => typeof part === "string")
        ? parts.join("")
        : pulumi.all(parts).apply((known) => known.join(""));
}

/**
 * Merges the user's values over the computed ones: objects merge key by key, anything else (arrays,
 * strings, numbers) replaces.
 */
export function mergeValues(
    base: Record<string, unknown>,
    override: Record<string, unknown>,
): Record<string, unknown> {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
        const current = out[key];
        out[key] =
            isPlainObject(current) && isPlainObject(value) ? mergeValues(current, value) : value;
    }
    return out;
}

/** A position in a values document: its object keys from the root. */
export type ValuesPath = string[];

/**
 * Splits a values document into the part known at preview and the positions of its Outputs. A list
 * that holds an Output anywhere is one position: it is known only whole, and the chart's rules for
 * its entries (required fields, one of several shapes) need the whole entry.
 */
export function splitValues(values: Record<string, unknown>): {
    known: Record<string, unknown>;
    outputs: ValuesPath[];
} {
    const outputs: ValuesPath[] = [];
    const known = knownPart(values, [], outputs) as Record<string, unknown>;
    return { known, outputs };
}

const LATER = Symbol("later");

function knownPart(value: unknown, at: ValuesPath, outputs: ValuesPath[]): unknown {
    if (holdsDeferred(value) && !isPlainObject(value)) {
        outputs.push(at);
        return LATER;
    }
    if (!isPlainObject(value)) {
        return value;
    }
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
        const part = knownPart(child, [...at, key], outputs);
        if (part !== LATER) {
            out[key] = part;
        }
    }
    return out;
}

/** The values at `paths` of a resolved document, in a document of their own. */
export function pickValues(
    values: Record<string, unknown>,
    paths: ValuesPath[],
): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const path of paths) {
        let source: unknown = values;
        let target = out;
        path.forEach((key, i) => {
            source = isPlainObject(source) ? source[key] : undefined;
            if (i === path.length - 1) {
                if (source !== undefined) {
                    target[key] = source;
                }
            } else {
                target = (isPlainObject(target[key]) ? target[key] : (target[key] = {})) as Record<
                    string,
                    unknown
                >;
            }
        });
    }
    return out;
}

/** The property path of a values position under `root`: `values.workers.resources`. */
export function valuesPath(root: string, path: ValuesPath): string {
    return path.reduce<string>((at, key) => joinPath(at, key), root);
}

interface Alternative {
    /** What to do instead, a clause that follows `no credential in plain Helm values; `. */
    instead: string;
    /** A value that does it. */
    example: string;
}

const DATABASE_SECRET: Alternative = {
    instead:
        "use database: { external: { secretName } } (a Secret with a `connection` key); the bundled database is for development only",
    example: 'database: { external: { secretName: "airflow-database" } }',
};
const NO_DEFAULT_USER: Alternative = {
    instead: "create users with the auth manager or `airflow users create`, not in values",
    example: "values without defaultUser",
};

/** Where each well-known credential of the chart goes instead. */
const ALTERNATIVES: Record<string, Alternative> = {
    fernetKey: {
        instead:
            "leave it out: the component generates the fernet key and passes fernetKeySecretName",
        example: "values without fernetKey",
    },
    webserverSecretKey: {
        instead: "leave it out: Airflow 3 does not read the webserver secret key",
        example: "values without webserverSecretKey",
    },
    apiSecretKey: {
        instead: "leave it out: the component generates the key and passes apiSecretKeySecretName",
        example: "values without apiSecretKey",
    },
    jwtSecret: {
        instead: "leave it out: the component generates the secret and passes jwtSecretName",
        example: "values without jwtSecret",
    },
    "data.metadataConnection": DATABASE_SECRET,
    "data.resultBackendConnection": {
        instead: "use values.data.resultBackendSecretName (a Secret with a `connection` key)",
        example: 'data: { resultBackendSecretName: "airflow-result-backend" }',
    },
    "data.brokerUrl": {
        instead: "use values.data.brokerUrlSecretName (a Secret with a `connection` key)",
        example: 'data: { brokerUrlSecretName: "airflow-broker-url" }',
    },
    "registry.connection": {
        instead: "use imagePullSecrets (a RegistrySecret's secretName)",
        example: 'imagePullSecrets: ["airflow-registry"]',
    },
    "redis.password": {
        instead: "use values.redis.passwordSecretName",
        example: 'redis: { passwordSecretName: "airflow-redis-password" }',
    },
    "postgresql.auth": DATABASE_SECRET,
    "webserver.defaultUser": NO_DEFAULT_USER,
    "createUserJob.defaultUser": NO_DEFAULT_USER,
    config: fromSecret("AIRFLOW__<SECTION>__<KEY>"),
};

/** An environment variable filled from a Secret key (the chart's `secret` list). */
function fromSecret(envName: string): Alternative {
    return {
        instead: `use an environment variable from a Secret: values.secret: [{ envName: "${envName}", secretName, secretKey }]`,
        example:
            'secret: [{ envName: "AIRFLOW__CORE__FERNET_KEY", secretName: "airflow-fernet-key", secretKey: "fernet-key" }]',
    };
}

/**
 * Refuses user values that would carry a credential in plain Helm values (which end up readable in
 * the Release's state and in `helm get values`), pointing to the Secret-name alternative. An Output
 * in such a position is refused too: whatever it resolves to would land in the values.
 */
export function refuseCredentials(values: Record<string, unknown>, root: string): void {
    walk(values, "", (at, key, value) => {
        if (
            isPlainObject(value) &&
            typeof value.name === "string" &&
            isCredential(value.value) &&
            CREDENTIAL_NAME.test(value.name.toLowerCase())
        ) {
            refuse(joinPath(at, "value"), root, value.value, fromSecret(value.name));
        }
        if (
            typeof key === "string" &&
            isCredential(value) &&
            CREDENTIAL_NAME.test(key.toLowerCase())
        ) {
            refuse(at, root, value, alternativeFor(at));
        }
    });
}

function isCredential(value: unknown): boolean {
    return (typeof value === "string" && value !== "") || pulumi.Output.isInstance(value);
}

function refuse(at: string, root: string, given: unknown, alternative: Alternative): never {
    return invalidInput({
        path: at.startsWith("[") ? `${root}${at}` : `${root}.${at}`,
        given,
        expected: `no credential in plain Helm values; ${alternative.instead}`,
        example: alternative.example,
        secret: true,
    });
}

function alternativeFor(at: string): Alternative {
    const match = Object.keys(ALTERNATIVES)
        .filter((prefix) => at === prefix || at.startsWith(`${prefix}.`))
        .sort((a, b) => b.length - a.length)[0];
    return match
        ? ALTERNATIVES[match]
        : {
              instead:
                  "use a Kubernetes Secret referenced by name (a `*SecretName` value, or values.secret)",
              example:
                  'secret: [{ envName: "MY_TOKEN", secretName: "my-token", secretKey: "token" }]',
          };
}

/** Visits every value below `value` with its path (`data.metadataConnection.pass`, `env[0]`). */
function walk(
    value: unknown,
    at: string,
    visit: (at: string, key: string | number, value: unknown) => void,
): void {
    const entries: Array<[string | number, unknown]> = Array.isArray(value)
        ? value.map((v, i) => [i, v])
        : isPlainObject(value)
          ? Object.entries(value)
          : [];
    for (const [key, child] of entries) {
        const path = joinPath(at, key);
        visit(path, key, child);
        walk(child, path, visit);
    }
}

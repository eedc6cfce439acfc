import * as YAML from "yaml";
import {
    CREDENTIAL_NAME,
    invalidInput,
    refuseGuardedValues,
    refuseUrlCredentials,
    type GuardedValue,
} from "../core";

const OWNED_KEY = (secret: string, name: string): GuardedValue[] => [
    {
        path: secret,
        why: `the component generates the ${name} and keeps it in a Kubernetes Secret`,
        instead: `leave it out (the component passes ${secret}SecretName)`,
        example: `values without ${secret}`,
        secret: true,
    },
    {
        path: `${secret}SecretName`,
        why: `the component generates the ${name} and passes the name of its own Secret`,
        instead: `leave it out (the component creates and names that Secret)`,
        example: `values without ${secret}SecretName`,
    },
];

const DATABASE: Pick<GuardedValue, "instead" | "example"> = {
    instead:
        "use database: { external: { secretName } } (a Secret with a `connection` key); the bundled database is for development only",
    example: 'database: { external: { secretName: "airflow-database" } }',
};

/**
 * The Airflow chart values `AirflowDeployment`'s `values` may not set. Every path is a value of the
 * pinned chart's `values.schema.json` (a test checks it).
 */
export const AIRFLOW_GUARDED_VALUES: readonly GuardedValue[] = [
    {
        path: "multiNamespaceMode",
        why: "it grants Airflow a ClusterRole over every namespace",
        instead:
            "give projectNamespaces (each gets a namespaced Role; Airflow gets the explicit list)",
        example: 'projectNamespaces: ["imaging"]',
    },
    ...OWNED_KEY("fernetKey", "fernet key"),
    ...OWNED_KEY("webserverSecretKey", "webserver secret key"),
    ...OWNED_KEY("apiSecretKey", "API secret key"),
    {
        path: "jwtSecret",
        why: "the component generates the JWT secret and keeps it in a Kubernetes Secret",
        instead: "leave it out (the component passes jwtSecretName)",
        example: "values without jwtSecret",
        secret: true,
    },
    {
        path: "jwtSecretName",
        why: "the component generates the JWT secret and passes the name of its own Secret",
        instead: "leave it out (the component creates and names that Secret)",
        example: "values without jwtSecretName",
    },
    {
        path: "webserver.defaultUser",
        why: "a default user's password would sit in the release's values (the chart's default is admin/admin)",
        instead: "create users with the auth manager or `airflow users create`",
        example: "values without defaultUser",
        secret: true,
    },
    {
        path: "data.metadataConnection",
        why: "it holds the database password",
        secret: true,
        ...DATABASE,
    },
    {
        path: "data.metadataSecretName",
        why: "the component passes the database Secret of its database argument",
        ...DATABASE,
    },
    { path: "postgresql.enabled", why: "the database argument decides it", ...DATABASE },
    {
        path: "postgresql.auth",
        why: "it holds the bundled database's passwords",
        secret: true,
        ...DATABASE,
    },
    {
        path: "extraSecrets",
        why: "a Secret made from Helm values keeps its contents in the release's values",
        instead:
            "create the Secret outside the chart (a Kubernetes Secret, S3Storage, RegistrySecret) and pass its name",
        example: 'secret: [{ envName: "MY_TOKEN", secretName: "my-token", secretKey: "token" }]',
        secret: true,
    },
    {
        path: "migrateDatabaseJob.useHelmHooks",
        why: "Helm hooks deadlock under Pulumi's awaited install, so the component turns them off",
        instead: "leave it out",
        example: "values without useHelmHooks",
    },
    {
        path: "createUserJob.useHelmHooks",
        why: "Helm hooks deadlock under Pulumi's awaited install, so the component turns them off",
        instead: "leave it out",
        example: "values without useHelmHooks",
    },
    {
        path: "workers.serviceAccount.name",
        why: "the project namespaces' pod-launcher Roles are bound to the component's name",
        instead: "leave it out (annotations may be set)",
        example:
            'workers: { serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": "arn" } } }',
    },
    {
        path: "scheduler.serviceAccount.name",
        why: "the project namespaces' pod-launcher Roles are bound to the component's name",
        instead: "leave it out (annotations may be set)",
        example:
            'scheduler: { serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": "arn" } } }',
    },
    {
        path: "dags.persistence.existingClaim",
        why: "DAG installers write to the claim the component creates",
        instead: "size it with dags",
        example: 'dags: { size: "5Gi" }',
    },
];

const FROM_SECRET = {
    instead: "use an environment variable from a Secret (values.secret)",
    example:
        'secret: [{ envName: "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", secretName: "airflow-database", secretKey: "connection" }]',
};

/**
 * Refuses Airflow chart values that set a guarded path ({@link AIRFLOW_GUARDED_VALUES}), hold a URL
 * with userinfo anywhere, or give `extraEnv` (a YAML string the chart templates) an entry whose
 * name is a credential's with a literal value. Paths are under `root` (`values`).
 */
export function refuseGuardedAirflowValues(values: Record<string, unknown>, root: string): void {
    refuseGuardedValues(values, AIRFLOW_GUARDED_VALUES, root);
    refuseUrlCredentials(values, root, FROM_SECRET);
    if (typeof values.extraEnv === "string") {
        extraEnvEntries(values.extraEnv).forEach((entry, i) => {
            if (
                typeof entry.name === "string" &&
                CREDENTIAL_NAME.test(entry.name.toLowerCase()) &&
                typeof entry.value === "string" &&
                entry.value !== ""
            ) {
                invalidInput({
                    path: `${root}.extraEnv`,
                    given: values.extraEnv,
                    expected: `no literal credential in extraEnv (entry ${i}, ${entry.name}, has a value); ${FROM_SECRET.instead}`,
                    example: FROM_SECRET.example,
                    secret: true,
                });
            }
        });
    }
}

/** The `{ name, value }` entries of an `extraEnv` YAML string; none when it is not such a list. */
function extraEnvEntries(text: string): Array<{ name?: unknown; value?: unknown }> {
    let parsed: unknown;
    try {
        parsed = YAML.parse(text);
    } catch {
        return [];
    }
    return Array.isArray(parsed)
        ? parsed.filter((entry) => entry !== null && typeof entry === "object")
        : [];
}

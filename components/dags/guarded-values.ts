import {
    CREDENTIAL_NAME,
    invalidInput,
    joinPath,
    refuseGuardedValues,
    refuseUrlCredentials,
    type GuardedValue,
} from "../core";

/** A value the component computes from one of its arguments. */
const OWNED = (path: string, argument: string, example: string): GuardedValue => ({
    path,
    why: "the component sets it from its arguments",
    instead: `use the ${argument} argument`,
    example,
});

/**
 * The bundled dag-installer chart's values `DagInstallerChart`'s `values` may not set: each comes
 * from an argument, checked there. Every path is a value of the chart's `values.schema.json` (a
 * test checks it).
 */
export const DAG_INSTALLER_GUARDED_VALUES: readonly GuardedValue[] = [
    {
        path: "image",
        why: "the installer image is the component's image argument (a ProcessingImage it pushes, or a checked reference), so another image would run unchecked with the DAG volume mounted",
        instead: "use the image argument",
        example: '{ imageName: "registry.example.com/team/dag-otsus-method:1.0.0" }',
    },
    OWNED("action", "action", '"copy"'),
    OWNED("imagePullSecrets", "imagePullSecrets", '["registry-service"]'),
    OWNED("dagsClaimName", "dagsClaimName", '"airflow-dags"'),
    OWNED("pluginsClaimName", "pluginsClaimName", '"airflow-plugins"'),
    OWNED("mountedScriptsClaimName", "mountedScriptsClaimName", '"airflow-scripts"'),
    OWNED("backoffLimit", "backoffLimit", "0"),
    {
        path: "env",
        why: "the component sets it from its env argument, where credentials are refused",
        instead: "use the env argument",
        example: '{ KAAPANA_BUILD_VERSION: "0.3.0" }',
    },
    {
        path: "labels",
        why: "the component's labels (app.kubernetes.io/managed-by, part-of, component) mark every object",
        instead: "leave it out",
        example: "values without labels",
    },
];

const FROM_SECRET = {
    instead: "the installer reads no credentials: keep them out of its chart",
    example: '{ KAAPANA_BUILD_VERSION: "0.3.0" }',
};

/**
 * Refuses installer input that would put a credential in the release's values (a URL with userinfo
 * in `values` or `env`, an `env` variable named like a credential with a value) and, for the
 * bundled chart, values that set a guarded path ({@link DAG_INSTALLER_GUARDED_VALUES}).
 */
export function refuseGuardedInstallerValues(
    args: { values?: Record<string, unknown>; env?: Record<string, string> },
    bundled: boolean,
): void {
    const values = args.values ?? {};
    if (bundled) {
        refuseGuardedValues(values, DAG_INSTALLER_GUARDED_VALUES, "values");
    }
    refuseUrlCredentials(values, "values", FROM_SECRET);
    for (const [name, value] of Object.entries(args.env ?? {})) {
        if (CREDENTIAL_NAME.test(name.toLowerCase()) && value !== "") {
            invalidInput({
                path: joinPath("env", name),
                given: value,
                expected: `no credential in the installer's environment (${name} is a credential's name; the release keeps its values readable); ${FROM_SECRET.instead}`,
                example: FROM_SECRET.example,
                secret: true,
            });
        }
    }
    refuseUrlCredentials(args.env ?? {}, "env", FROM_SECRET);
}

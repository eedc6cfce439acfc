import * as pulumi from "@pulumi/pulumi";
import { invalidInput, joinPath } from "./errors";

/**
 * A chart value a component's `values` may not set: the component owns it (it computes it from its
 * arguments, and an override would silently disconnect what it wires), or setting it would break a
 * guarantee (a ClusterRole, a credential in the release's values).
 */
export interface GuardedValue {
    /** Dotted path in the chart's values: `multiNamespaceMode`, `data.metadataSecretName`. */
    path: string;
    /** Why values may not set it, a clause: `it grants Airflow a ClusterRole over every namespace`. */
    why: string;
    /** The supported alternative, a clause: `give projectNamespaces instead`. */
    instead: string;
    /** An example of the alternative. */
    example: string;
    /** Its value may be a credential: messages show `<redacted>`. */
    secret?: boolean;
}

/** A URL with userinfo (`scheme://user:password@host`, `https://token@host`): a credential. */
const URL_WITH_USERINFO = /[a-z][a-z0-9+.-]*:\/\/[^\s/?#@]+@/i;

/** Whether a text holds a URL with userinfo, which carries a credential. */
export function hasUrlUserinfo(text: string): boolean {
    return URL_WITH_USERINFO.test(text);
}

/**
 * Refuses a values document that sets one of `guarded` (any value but `undefined`: the component
 * owns it), naming the path, why, and the supported alternative.
 */
export function refuseGuardedValues(
    values: Record<string, unknown>,
    guarded: readonly GuardedValue[],
    root: string,
): void {
    for (const guard of guarded) {
        const keys = guard.path.split(".");
        let at: unknown = values;
        for (const key of keys) {
            at = isFieldObject(at) && Object.hasOwn(at, key) ? at[key] : undefined;
        }
        if (at !== undefined) {
            invalidInput({
                path: keys.reduce<string>((parent, key) => joinPath(parent, key), root),
                given: at,
                expected: `no ${guard.path} in values: ${guard.why}; ${guard.instead}`,
                example: guard.example,
                secret: guard.secret,
            });
        }
    }
}

/**
 * Refuses every string in a values document that holds a URL with userinfo (a connection string
 * with its password, a token in a clone URL): Helm values are plain text in the release, readable
 * with `helm get values`. The value is never shown.
 */
export function refuseUrlCredentials(
    value: unknown,
    path: string,
    alternative: { instead: string; example: string },
): void {
    if (typeof value === "string") {
        if (hasUrlUserinfo(value)) {
            invalidInput({
                path,
                given: value,
                expected: `no URL with a user or password in plain Helm values (the release keeps them readable); ${alternative.instead}`,
                example: alternative.example,
                secret: true,
            });
        }
        return;
    }
    if (Array.isArray(value)) {
        value.forEach((item, i) => refuseUrlCredentials(item, joinPath(path, i), alternative));
    } else if (isFieldObject(value)) {
        for (const [key, child] of Object.entries(value)) {
            refuseUrlCredentials(child, joinPath(path, key), alternative);
        }
    }
}

/**
 * Any object but an array or an Output, a class instance too (unlike `isPlainObject` in
 * deferred.ts, which takes plain objects only): where a guarded key or a URL may sit.
 */
function isFieldObject(value: unknown): value is Record<string, unknown> {
    return (
        value !== null &&
        typeof value === "object" &&
        !Array.isArray(value) &&
        !pulumi.Output.isInstance(value)
    );
}

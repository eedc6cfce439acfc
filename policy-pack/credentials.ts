/**
 * What the policy pack treats as a credential written where only a Secret may hold one: a value of a
 * credential's shape (whatever its key), or a literal value under a key that names a credential.
 */

/** Credential shapes, recognised whatever key holds them. */
const CREDENTIAL_SHAPES: Array<{ what: string; pattern: RegExp }> = [
    { what: "a private key (PEM)", pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/ },
    { what: "an AWS access key id", pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
    {
        what: "a URL with a password in it",
        pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i,
    },
    { what: "a service-account key (JSON)", pattern: /"private_key"\s*:\s*"[^"]/ },
    {
        what: "registry credentials (docker config JSON)",
        pattern: /"auths"\s*:[\s\S]*"auth"\s*:\s*"[^"]/,
    },
    { what: "a GitHub token", pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
    {
        what: "a JSON Web Token",
        pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/,
    },
];

/**
 * Key names (lower case, separators removed) that hold a credential when they end the key:
 * `password`, `DB_PASSWORD`, `api-key`, `clientSecret`, `fernetKey`. Keys ending in a name or a
 * reference (`secretName`, `existingSecret`, `passwordSecretKeyRef`) name a Secret, not a credential.
 */
const CREDENTIAL_KEY =
    /(password|passwd|passphrase|token|apikey|privatekey|secretkey|secretaccesskey|clientsecret|jwtsecret|sharedsecret|fernetkey|authkey|credentials)$/;

/** Literal values that are not a credential whatever the key: empty, a placeholder or a reference. */
const NOT_A_VALUE = /^(?:|\s+|\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\{[^}]+\}|\{\{[^}]*\}\})$/;

/** Why `value` is a credential (by its shape, or by `key`), or undefined. */
export function credentialIn(key: string | undefined, value: unknown): string | undefined {
    if (typeof value !== "string") {
        return undefined;
    }
    for (const { what, pattern } of CREDENTIAL_SHAPES) {
        if (pattern.test(value)) {
            return what;
        }
    }
    if (key !== undefined && isCredentialKey(key) && !NOT_A_VALUE.test(value)) {
        return `a literal value under the credential key ${JSON.stringify(key)}`;
    }
    return undefined;
}

/** Whether a key name (of a map, an env var, an annotation) names a credential. */
export function isCredentialKey(key: string): boolean {
    return CREDENTIAL_KEY.test(key.toLowerCase().replace(/[^a-z0-9]/g, ""));
}

/** One credential found inside a value: its property path and why it is one. */
export interface FoundCredential {
    path: string;
    why: string;
}

/**
 * Every credential inside a value (maps and lists walked, keys' names read), with its path below
 * `path`. Strings that hold YAML or JSON are read as text: their shapes are recognised, their keys
 * are not parsed.
 */
export function credentialsIn(value: unknown, path: string, key?: string): FoundCredential[] {
    if (Array.isArray(value)) {
        return value.flatMap((item, i) => credentialsIn(item, `${path}[${i}]`, key));
    }
    if (value && typeof value === "object") {
        return Object.entries(value).flatMap(([k, item]) =>
            credentialsIn(item, `${path}${propertyKey(k)}`, k),
        );
    }
    const why = credentialIn(key, value);
    return why === undefined ? [] : [{ path, why }];
}

function propertyKey(k: string): string {
    return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}

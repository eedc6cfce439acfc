import { defaultState } from "./default-state";
import type { Registration } from "./engine";

/** Where a credential stand-in was found: a registration (or file) and the property path inside it. */
export interface SentinelHit {
    /** The sentinel that was found (its clear text, also when it was found base64-encoded). */
    sentinel: string;
    /** Engine path syntax (`stringData[".dockerconfigjson"]`), empty for the value itself. */
    path: string;
    /** True when it was found base64-encoded rather than in clear. */
    encoded: boolean;
}

/**
 * Every occurrence of any sentinel in a value, in clear or base64 (at each byte alignment), with its
 * property path in the engine's syntax, so a hit can be checked with `isSecretInput`.
 */
export function findSentinels(
    value: unknown,
    sentinels: readonly string[],
    path = "",
): SentinelHit[] {
    // Each sentinel's base64 forms, computed once for the whole value rather than per string in it.
    const searched = sentinels.map((sentinel) => ({
        sentinel,
        forms: base64Forms(sentinel).filter((form) => form !== ""),
    }));
    return sentinelsIn(value, searched, path);
}

function sentinelsIn(
    value: unknown,
    searched: ReadonlyArray<{ sentinel: string; forms: string[] }>,
    path: string,
): SentinelHit[] {
    if (typeof value === "string") {
        return searched.flatMap(({ sentinel, forms }): SentinelHit[] => {
            if (value.includes(sentinel)) {
                return [{ sentinel, path, encoded: false }];
            }
            return forms.some((form) => value.includes(form))
                ? [{ sentinel, path, encoded: true }]
                : [];
        });
    }
    if (Array.isArray(value)) {
        return value.flatMap((item, i) => sentinelsIn(item, searched, `${path}[${i}]`));
    }
    if (value && typeof value === "object") {
        return Object.entries(value).flatMap(([key, item]) => [
            ...sentinelsIn(key, searched, path).map((hit) => ({
                ...hit,
                path: `${path}<key ${JSON.stringify(key)}>`,
            })),
            ...sentinelsIn(
                item,
                searched,
                path === "" ? propertyKey(key).replace(/^\./, "") : `${path}${propertyKey(key)}`,
            ),
        ]);
    }
    return [];
}

function propertyKey(k: string): string {
    return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}

/** Output fields of the resource types that mint credentials, per type token: one list of forms per credential. */
const GENERATED_CREDENTIALS: Record<
    string,
    (state: Record<string, unknown>, id: string) => unknown[][]
> = {
    "random:index/randomBytes:RandomBytes": (s) => [
        [s.base64, String(s.base64).replace(/\+/g, "-").replace(/\//g, "_"), s.hex],
    ],
    "random:index/randomPassword:RandomPassword": (s) => [[s.result]],
    // The access key id is the resource id, which the mocks set to `<name>-id`.
    "aws:iam/accessKey:AccessKey": (s, id) => [[id], [s.secret]],
    "gcp:storage/hmacKey:HmacKey": (s) => [[s.accessId], [s.secret]],
};

/** One credential a mock provider minted, in every form a program may use it (hex, base64, URL-safe base64). */
export interface GeneratedCredential {
    /** `<type> <name>` of the resource that minted it. */
    resource: string;
    forms: string[];
}

/**
 * The credentials the mock providers minted for a run (random keys, IAM access keys, HMAC keys),
 * recomputed from the registrations with the engine's own deterministic state, so a leak scan can
 * look for them like for any sentinel.
 */
export function generatedCredentials(
    registrations: readonly Registration[],
): GeneratedCredential[] {
    const found: GeneratedCredential[] = [];
    for (const registration of registrations) {
        const fields = GENERATED_CREDENTIALS[registration.type];
        if (!fields) {
            continue;
        }
        const state = defaultState({
            type: registration.type,
            name: registration.name,
            inputs: registration.inputs,
            custom: true,
        });
        const resource = `${registration.type} ${registration.name}`;
        for (const forms of fields(state, `${registration.name}-id`)) {
            found.push({
                resource,
                forms: forms.filter((f): f is string => typeof f === "string" && f !== ""),
            });
        }
    }
    return found;
}

/** The base64 text of `s` at each of the three byte alignments it can have inside longer data. */
export function base64Forms(s: string): string[] {
    return [0, 1, 2].map((offset) => {
        const encoded = Buffer.concat([Buffer.alloc(offset), Buffer.from(s)]).toString("base64");
        const complete = Math.floor((offset + Buffer.byteLength(s)) / 3) * 4;
        return encoded.slice([0, 2, 3][offset], complete);
    });
}

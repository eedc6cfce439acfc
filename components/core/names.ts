import { createHash } from "crypto";

const MAX_LABEL = 63;
const HASH_DIGITS = 7;

/** The first `digits` hex digits of the SHA-1 of `s`. */
export function shortHash(s: string, digits = HASH_DIGITS): string {
    return createHash("sha1").update(s).digest("hex").slice(0, digits);
}

/**
 * A deterministic DNS-1123 label for a Kubernetes object name.
 *
 * Lower-cases, turns every character outside `[a-z0-9-]` into `-`, and trims leading and trailing
 * `-`. When the result differs from the input or is longer than 63 characters, it is cut so that
 * `-` plus the first 7 hex digits of the SHA-1 of the original input fit, so two inputs that clean
 * to the same text still get different names. Same input, same name, always.
 *
 * @example dnsLabel("otsus-method") === "otsus-method"
 * @example dnsLabel("Otsus_Method") === "otsus-method-" + sha1("Otsus_Method").slice(0, 7)
 */
export function dnsLabel(s: string): string {
    const cleaned = s
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, "-")
        .replace(/^-+|-+$/g, "");
    if (cleaned === s && s.length > 0 && s.length <= MAX_LABEL) {
        return s;
    }
    const suffix = shortHash(s);
    const room = MAX_LABEL - suffix.length - 1;
    const head = cleaned.slice(0, room).replace(/-+$/, "");
    return head ? `${head}-${suffix}` : `x-${suffix}`;
}

import { REDACTED } from "../../components/core";

/**
 * A deep copy of `value` with every property at one of `paths` (engine path syntax) replaced by what
 * `redact` makes of it: {@link REDACTED} unless told otherwise.
 */
export function redactPaths<T>(
    value: T,
    paths: string[],
    redact: (secret: unknown) => string = () => REDACTED,
): T {
    const copy = structuredClone(value);
    for (const p of paths) {
        const keys = parsePath(p);
        let target: unknown = copy;
        for (const key of keys.slice(0, -1)) {
            target = (target as Record<string | number, unknown> | null | undefined)?.[key];
        }
        const last = keys[keys.length - 1];
        if (target && typeof target === "object" && last !== undefined && last in target) {
            const holder = target as Record<string | number, unknown>;
            holder[last] = redact(holder[last]);
        }
    }
    return copy;
}

/** The stack outputs as a record, the secret ones redacted (by `redact`, else as {@link REDACTED}). */
export function redactOutputs(
    outputs: unknown,
    secretKeys: string[],
    redact: (secret: unknown) => string = () => REDACTED,
): Record<string, unknown> {
    const record =
        outputs && typeof outputs === "object"
            ? (outputs as Record<string, unknown>)
            : outputs === undefined
              ? {}
              : { value: outputs };
    return Object.fromEntries(
        Object.entries(record).map(([k, v]) => [k, secretKeys.includes(k) ? redact(v) : v]),
    );
}

function parsePath(p: string): Array<string | number> {
    const keys: Array<string | number> = [];
    const token = /\.?([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
    for (const m of p.matchAll(token)) {
        keys.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : JSON.parse(m[3])));
    }
    return keys;
}

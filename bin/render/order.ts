/** Code-unit order: the same on every machine, unlike locale collation. */
export function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** A deep copy of `value` with object keys sorted and undefined properties left out. */
export function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(sortKeys);
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(
            Object.entries(value)
                .filter(([, v]) => v !== undefined)
                .sort(([a], [b]) => compare(a, b))
                .map(([k, v]) => [k, sortKeys(v)]),
        );
    }
    return value;
}

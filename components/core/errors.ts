import * as pulumi from "@pulumi/pulumi";

/** What a rejected input looks like, so every message reads the same way. */
export interface InvalidInput {
    /** The property path from the component's args, e.g. `registry.url` or `namespaces[2]`. */
    path: string;
    /** The value that was given; rendered with JSON.stringify. Never pass a credential here. */
    given: unknown;
    /** What was expected, e.g. `a URL with http:// or https://`. */
    expected: string;
    /** An example of a good value, e.g. `https://registry.example.com:5000/team`. */
    example: string;
}

/** Renders a given value for a message: short, JSON-quoted, never multi-line. */
export function describeValue(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/**
 * Throws `pulumi.InputPropertyError` naming the property path, the value given, what was expected
 * and an example. Components call it before creating any child, so bad input creates nothing.
 */
export function invalidInput({ path, given, expected, example }: InvalidInput): never {
    throw new pulumi.InputPropertyError({
        propertyPath: path,
        reason: `${path}: got ${describeValue(given)}; expected ${expected}, e.g. ${example}`,
    });
}

/** Joins a parent property path and a child key: `joinPath("registries", 2)` is `registries[2]`. */
export function joinPath(parent: string, key: string | number): string {
    if (typeof key === "number") {
        return `${parent}[${key}]`;
    }
    if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) {
        return `${parent}[${JSON.stringify(key)}]`;
    }
    return parent ? `${parent}.${key}` : key;
}

/**
 * Runs `check` and re-throws its `InputPropertyError` with the property path nested under `parent`,
 * so a component that validates a child's args reports `processingImages[1].tag`, not `tag`.
 */
export function nestInputErrors<T>(parent: string, check: () => T): T {
    try {
        return check();
    } catch (err) {
        if (!pulumi.InputPropertyError.isInstance(err)) {
            throw err;
        }
        const inner = err.propertyPath;
        const path =
            inner === "" ? parent : /^[[]/.test(inner) ? `${parent}${inner}` : `${parent}.${inner}`;
        const reason = err.reason.startsWith(`${inner}: `)
            ? `${path}: ${err.reason.slice(inner.length + 2)}`
            : err.reason;
        throw new pulumi.InputPropertyError({ propertyPath: path, reason });
    }
}

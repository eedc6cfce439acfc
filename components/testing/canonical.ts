import type { Registration } from "./engine";

/**
 * One line of canonical JSON per registration (type, name, parent, inputs, secret paths,
 * dependencies, data-safety options and aliases; object keys sorted), the lines sorted: two evaluations of a program that register the
 * same resources with the same inputs give byte-identical results, whatever order they ran in.
 */
export function canonicalRegistrations(registrations: readonly Registration[]): string[] {
    return registrations
        .map((r) =>
            JSON.stringify(
                sortKeys({
                    type: r.type,
                    name: r.name,
                    parent: r.parent ?? null,
                    inputs: r.inputs,
                    secretPaths: [...r.secretPaths].sort(),
                    dependencies: [...r.dependencies].sort(),
                    retainOnDelete: r.retainOnDelete,
                    protect: r.protect,
                    aliases: r.aliases,
                }),
            ),
        )
        .sort();
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(sortKeys);
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(
            Object.keys(value)
                .sort()
                .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
        );
    }
    return value;
}

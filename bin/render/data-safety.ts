import { STATEFUL_RESOURCES, statefulKind, type StatefulKind } from "../../components/core";
import {
    aliasUrns,
    findSentinels,
    generatedCredentials,
    type Registration,
} from "../../components/testing";
import { compare } from "./order";

/** A resource of the render that holds data, as `data-safety.yaml` lists it (in this key order). */
export interface DataSafetyEntry {
    /** `Kind namespace/name` for a Kubernetes object, `<type> <resource name>` otherwise. */
    object: string;
    kind: StatefulKind;
    /** What is lost with it. */
    holds: string;
    retainOnDelete: boolean;
    protect: boolean;
    urn: string;
    /** The render file that shows it. */
    file: string;
    /** Earlier URNs it answers to (its aliases, resolved as the engine does). */
    aliases?: string[];
}

/** Where a registration shows in the render: its file and how the render names it. */
export interface Shown {
    file: string;
    object: string;
}

/** The resources that hold data (see `STATEFUL_RESOURCES`), sorted by object. */
export function dataSafetyEntries(
    registrations: readonly Registration[],
    shown: ReadonlyMap<Registration, Shown>,
): DataSafetyEntry[] {
    const aliases = aliasUrns(registrations);
    return registrations
        .flatMap((r): DataSafetyEntry[] => {
            const kind = statefulKind(r.type, r.name, r.inputs);
            const where = shown.get(r);
            if (kind === undefined || where === undefined) {
                return [];
            }
            const earlier = aliases.get(r.urn) ?? [];
            return [
                {
                    object: where.object,
                    kind,
                    holds: STATEFUL_RESOURCES[kind].holds,
                    retainOnDelete: r.retainOnDelete,
                    protect: r.protect,
                    urn: r.urn,
                    file: where.file,
                    ...(earlier.length > 0 ? { aliases: earlier } : {}),
                },
            ];
        })
        .sort((a, b) => compare(a.object, b.object) || compare(a.urn, b.urn));
}

/**
 * What a credential-minting resource (a random key, an access key) feeds: each object and property
 * its value reaches and, for a Secret, who reads that Secret by name in its namespace.
 */
export function feedsOf(
    registrations: readonly Registration[],
    shown: ReadonlyMap<Registration, Shown>,
): (registration: Registration) => string[] {
    const minted = new Map<string, string[]>();
    for (const { resource, forms } of generatedCredentials(registrations)) {
        minted.set(resource, [...(minted.get(resource) ?? []), ...forms]);
    }
    return (registration) => {
        const forms = minted.get(`${registration.type} ${registration.name}`);
        if (forms === undefined) {
            return [];
        }
        return registrations.flatMap((other) => {
            if (other === registration) {
                return [];
            }
            const paths = [...new Set(findSentinels(other.inputs, forms).map((hit) => hit.path))];
            const label = shown.get(other)?.object ?? `${other.type} ${other.name}`;
            const readers = other.type === "kubernetes:core/v1:Secret" ? secretReaders(other) : [];
            return paths.map(
                (p) =>
                    `${label} ${p}${readers.length > 0 ? `, read by ${readers.join("; ")}` : ""}`,
            );
        });
    };

    function secretReaders(secret: Registration): string[] {
        const name = secret.inputs.metadata?.name;
        const namespace = secret.inputs.metadata?.namespace;
        return registrations.flatMap((other) => {
            const otherNamespace = other.inputs.namespace ?? other.inputs.metadata?.namespace;
            if (other === secret || otherNamespace !== namespace || typeof name !== "string") {
                return [];
            }
            const paths = pathsOfValue(other.inputs, name).filter((p) => p !== "metadata.name");
            const label = shown.get(other)?.object ?? `${other.type} ${other.name}`;
            return paths.length > 0 ? [`${label} (${paths.join(", ")})`] : [];
        });
    }
}

/** The paths (engine syntax) at which a string equal to `wanted` sits. */
function pathsOfValue(value: unknown, wanted: string, path = ""): string[] {
    if (value === wanted) {
        return [path];
    }
    if (Array.isArray(value)) {
        return value.flatMap((v, i) => pathsOfValue(v, wanted, `${path}[${i}]`));
    }
    if (value && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) =>
            pathsOfValue(
                v,
                wanted,
                /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k)
                    ? `${path}${path ? "." : ""}${k}`
                    : `${path}[${JSON.stringify(k)}]`,
            ),
        );
    }
    return [];
}

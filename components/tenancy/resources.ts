import { DEFAULT_PROFILE, type ResourceList } from "../airflow";
import {
    formatQuantity,
    invalidInput,
    isBinaryQuantity,
    joinPath,
    quantityNanos,
    type Quantity,
    type Reporter,
} from "../core";

/** The container resources of one kind of task pod: a profile of the Airflow run configuration. */
export interface TaskProfile {
    /**
     * What the task container requests.
     * @example { cpu: "1", memory: "2Gi" }
     */
    requests?: ResourceList;
    /**
     * What the task container is limited to.
     * @example { memory: "4Gi" }
     */
    limits?: ResourceList;
}

/** The namespace's LimitRange for containers; each field replaces what the profiles derive. */
export interface FenceLimits {
    /**
     * Requests a container without its own gets. Default: the `__default__` profile's requests.
     * @example { cpu: "500m", memory: "1Gi" }
     */
    defaultRequest?: ResourceList;
    /**
     * Limits a container without its own gets. Default: the `__default__` profile's limits.
     * @example { memory: "2Gi" }
     */
    default?: ResourceList;
    /**
     * The most one container may request or be limited to. Default: per resource, the largest limit
     * any profile sets.
     * @example { memory: "96Gi" }
     */
    max?: ResourceList;
}

/**
 * Hard limits by quota resource name (`requests.cpu`, `limits.memory`, `pods`, `count/jobs.batch` …).
 * @propertyNames { "format": "label-key" }
 * @minProperties 1
 * @example { "requests.cpu": "20", "limits.memory": "80Gi", pods: "50" }
 */
export type QuotaHard = Record<string, Quantity>;

/** The namespace's ResourceQuota. */
export interface FenceQuota {
    /**
     * How many `__default__` task pods the derived quota holds at once; each resource is raised to
     * one pod of the largest profile where that asks more. Default 10. Not together with `hard`.
     * @asType integer
     * @minimum 1
     * @maximum 10000
     * @example 10
     */
    tasks?: number;
    /**
     * The quota's hard limits, replacing the derived ones.
     * @example { "requests.cpu": "20", "requests.memory": "40Gi", "limits.memory": "80Gi" }
     */
    hard?: QuotaHard;
}

/** Task pods the derived quota holds at once. */
export const DEFAULT_QUOTA_TASKS = 10;
/** Resources a quota may limit as `limits.<name>`; extended resources take `requests.<name>` only. */
const LIMITABLE = new Set(["cpu", "memory", "ephemeral-storage"]);
/** Resources a quota makes every pod set once it tracks them (the quota admission's `Constraints`). */
const REQUIRED_BY_QUOTA = new Set(["cpu", "memory"]);

/** A quantity with where it comes from, for messages that name both sides of a conflict. */
interface Sourced {
    nanos: bigint;
    text: string;
    /** The property path that set it, relative to the fence's args (`limits.max.memory`). */
    path: string;
    /** The same path as the user wrote it (a platform's config path), for messages. */
    source: string;
    binary: boolean;
}

type Amounts = Record<string, Sourced>;

/** What the fence's LimitRange and ResourceQuota hold; undefined where nothing is set or derived. */
export interface PlannedResources {
    limitRange?: {
        defaultRequest?: ResourceList;
        default?: ResourceList;
        max?: ResourceList;
    };
    quota?: QuotaHard;
}

/**
 * The LimitRange and ResourceQuota of a namespace whose task pods have `profiles`: from `limits`
 * and `quota` where given, derived from the profiles otherwise; then each profile's container, as
 * the API server would admit it (limits and requests defaulted by the LimitRange), is checked
 * against both. A pod template the LimitRange refuses and a quota smaller than one pod of a profile
 * are refused here, at preview, naming both sides (`reporter` turns paths into the user's).
 */
export function planResources(
    profiles: Record<string, TaskProfile>,
    limits: FenceLimits,
    quota: FenceQuota,
    reporter: Reporter,
): PlannedResources {
    const at = (path: string) => reporter.path(path);
    const profileAmounts = (profile: string, field: "requests" | "limits") =>
        amounts(
            profiles[profile]?.[field] ?? {},
            joinPath(joinPath("taskProfiles", profile), field),
            at,
        );

    const given = (field: keyof FenceLimits) =>
        limits[field] === undefined
            ? undefined
            : amounts(limits[field], joinPath("limits", field), at);
    const defaultRequest =
        given("defaultRequest") ?? derived(profileAmounts(DEFAULT_PROFILE, "requests"));
    const defaultLimit = given("default") ?? derived(profileAmounts(DEFAULT_PROFILE, "limits"));
    const max = given("max") ?? derived(largestLimits(profiles, profileAmounts));

    // The API server's defaulting of a LimitRange (SetDefaults_LimitRangeItem): a missing default
    // limit is the max, a missing default request the default limit.
    const effectiveDefault = { ...max, ...defaultLimit };
    const effectiveRequest = { ...effectiveDefault, ...defaultRequest };
    checkOrder(effectiveRequest, effectiveDefault, "default request", "default limit");
    checkOrder(effectiveDefault, max, "default limit", "max");

    // Airflow writes a `__default__` pod template whether or not the run configuration has one.
    const names = [...new Set([DEFAULT_PROFILE, ...Object.keys(profiles)])];
    const containers = names.map((profile) => {
        const requests = profileAmounts(profile, "requests");
        const ownLimits = profileAmounts(profile, "limits");
        // A limit without a request makes the request equal to it (pod defaulting, before admission).
        for (const [resource, limit] of Object.entries(ownLimits)) {
            requests[resource] ??= limit;
        }
        const limitsOf = { ...effectiveDefault, ...ownLimits };
        const requestsOf = { ...effectiveRequest, ...requests };
        checkOrder(requestsOf, limitsOf, "request", "limit");
        checkOrder(requestsOf, max, "request", "LimitRange max");
        checkOrder(limitsOf, max, "limit", "LimitRange max");
        return { profile, requests: requestsOf, limits: limitsOf };
    });

    const hard =
        quota.hard === undefined
            ? derivedQuota(containers, quota.tasks ?? DEFAULT_QUOTA_TASKS)
            : amounts(quota.hard, joinPath("quota", "hard"), at);
    for (const [key, limit] of Object.entries(hard)) {
        const [field, resource] = quotaResource(key);
        if (field === undefined) {
            continue;
        }
        for (const container of containers) {
            const asked = container[field][resource];
            const pod = `one "${container.profile}" task pod`;
            if (asked === undefined) {
                if (!REQUIRED_BY_QUOTA.has(resource)) {
                    continue;
                }
                invalidInput({
                    path: limit.path,
                    given: limit.text,
                    expected: `a quota only on resources every task pod sets: ${pod} sets no ${field}.${resource} and the LimitRange gives none (set it in the profile or in limits.${field === "requests" ? "defaultRequest" : "default"})`,
                    example: `no ${key} in quota.hard`,
                });
            }
            if (asked.nanos > limit.nanos) {
                invalidInput({
                    path: limit.path,
                    given: limit.text,
                    expected: `a quota that holds at least ${pod}: its ${field}.${resource} is ${asked.text} (${asked.source})`,
                    example: asked.text,
                });
            }
        }
    }

    const text = (values: Amounts) =>
        Object.keys(values).length === 0
            ? undefined
            : Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.text]));
    const limitRange = {
        ...(text(defaultRequest) ? { defaultRequest: text(defaultRequest) } : {}),
        ...(text(defaultLimit) ? { default: text(defaultLimit) } : {}),
        ...(text(max) ? { max: text(max) } : {}),
    };
    return {
        ...(Object.keys(limitRange).length > 0 ? { limitRange } : {}),
        ...(text(hard) ? { quota: text(hard) } : {}),
    };
}

function amounts(values: ResourceList, path: string, at: (path: string) => string): Amounts {
    return Object.fromEntries(
        Object.entries(values).map(([resource, text]) => [
            resource,
            {
                nanos: quantityNanos(text) as bigint,
                text,
                path: joinPath(path, resource),
                source: at(joinPath(path, resource)),
                binary: isBinaryQuantity(text),
            },
        ]),
    );
}

/** Values the LimitRange takes over from profiles, saying so in messages. */
function derived(values: Amounts): Amounts {
    return Object.fromEntries(
        Object.entries(values).map(([resource, value]) => [
            resource,
            { ...value, source: `derived from ${value.source}` },
        ]),
    );
}

/** Per resource, the largest limit any profile sets. */
function largestLimits(
    profiles: Record<string, TaskProfile>,
    profileAmounts: (profile: string, field: "limits") => Amounts,
): Amounts {
    const max: Amounts = {};
    for (const profile of Object.keys(profiles)) {
        for (const [resource, limit] of Object.entries(profileAmounts(profile, "limits"))) {
            if (max[resource] === undefined || limit.nanos > max[resource].nanos) {
                max[resource] = limit;
            }
        }
    }
    return max;
}

/** Refuses the first resource whose `lower` is above its `upper`, at the path that set `lower`. */
function checkOrder(lower: Amounts, upper: Amounts, lowerName: string, upperName: string): void {
    for (const [resource, value] of Object.entries(lower)) {
        const bound = upper[resource];
        if (bound !== undefined && value.nanos > bound.nanos) {
            invalidInput({
                path: value.path,
                given: value.text,
                expected: `a ${lowerName} of ${resource} at most the ${upperName} ${bound.text} (${bound.source})`,
                example: bound.text,
            });
        }
    }
}

/** `requests.cpu` and `cpu` -> requests of cpu; `limits.memory` -> limits of memory; others none. */
function quotaResource(key: string): ["requests" | "limits" | undefined, string] {
    const match = /^(requests|limits)\.(.+)$/.exec(key);
    if (match) {
        return [match[1] as "requests" | "limits", match[2]];
    }
    return LIMITABLE.has(key) ? ["requests", key] : [undefined, key];
}

/**
 * The quota the profiles derive: per resource the containers request (and, for cpu, memory and
 * ephemeral storage, are limited to), `tasks` times the `__default__` pod's, raised to one pod of
 * the largest profile where that asks more.
 */
function derivedQuota(
    containers: Array<{ profile: string; requests: Amounts; limits: Amounts }>,
    tasks: number,
): Amounts {
    const hard: Amounts = {};
    for (const field of ["requests", "limits"] as const) {
        const resources = new Set(containers.flatMap((c) => Object.keys(c[field])));
        for (const resource of [...resources].sort()) {
            if (
                (field === "limits" && !LIMITABLE.has(resource)) ||
                // A quota on cpu or memory refuses every pod that does not set it.
                (REQUIRED_BY_QUOTA.has(resource) &&
                    containers.some((c) => c[field][resource] === undefined))
            ) {
                continue;
            }
            const base = containers.find((c) => c.profile === DEFAULT_PROFILE)?.[field][resource];
            let nanos = base === undefined ? 0n : base.nanos * BigInt(tasks);
            let binary = base?.binary ?? false;
            for (const container of containers) {
                const value = container[field][resource];
                if (value !== undefined && value.nanos > nanos) {
                    nanos = value.nanos;
                }
                binary ||= value?.binary ?? false;
            }
            const text = formatQuantity(nanos, binary);
            // Holds every pod by construction: never the side a refusal is reported at.
            hard[`${field}.${resource}`] = { nanos, text, path: "quota", source: "quota", binary };
        }
    }
    return hard;
}

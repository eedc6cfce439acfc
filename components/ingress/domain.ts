import { stringify } from "yaml";
import {
    dns1123SubdomainProblems,
    invalidInput,
    joinPath,
    labelValueProblems,
    qualifiedNameProblems,
} from "../core";

/** One domain suffix and the pipelines it serves. */
export interface DomainSelector {
    /**
     * Labels a pipeline must carry, all of them, with exactly these values. Empty or absent: the
     * default suffix, which matches every pipeline and is chosen only when nothing more specific does.
     * @example { app: "prod" }
     */
    selector?: Record<string, string>;
}

/**
 * Domain suffixes by name, as in Koalja's and Knative's domain ConfigMap.
 * @example { "example.org": { selector: { app: "prod" } }, "example.com": {} }
 */
export type DomainConfig = Record<string, DomainSelector>;

const MAX_LABEL = 63;
const MAX_NAME = 253;

/**
 * The domain suffix for a pipeline with `labels`: among the entries whose selector pairs all equal the
 * pipeline's labels, the one with most pairs; ties go to the lexicographically smallest suffix. This
 * is the Koalja (and Knative) rule. A config without a default entry (empty selector) is refused.
 *
 * @example selectDomainSuffix({ app: "prod" }, { "example.org": { selector: { app: "prod" } }, "example.com": {} }) === "example.org"
 */
export function selectDomainSuffix(
    labels: Record<string, string>,
    domains: DomainConfig,
    path = "domains",
): string {
    validateDomainConfig(domains, path);
    let best: string | undefined;
    let bestPairs = -1;
    for (const [suffix, entry] of Object.entries(domains)) {
        const selector = entry.selector ?? {};
        const pairs = Object.keys(selector).length;
        if (!Object.entries(selector).every(([key, value]) => labels[key] === value)) {
            continue;
        }
        if (pairs > bestPairs || (pairs === bestPairs && best !== undefined && suffix < best)) {
            best = suffix;
            bestPairs = pairs;
        }
    }
    // The default entry matches everything, and validation guarantees it exists.
    return best as string;
}

/**
 * The domain config that applies in `namespace`: the namespace's own config when it has one, which
 * replaces the platform-wide config (never merged), as Koalja reads the namespace ConfigMap before
 * the `koalja-system` one.
 */
export function domainConfigFor(
    namespace: string,
    platform: DomainConfig,
    byNamespace: Record<string, DomainConfig> = {},
): DomainConfig {
    return Object.prototype.hasOwnProperty.call(byNamespace, namespace)
        ? byNamespace[namespace]
        : platform;
}

/**
 * The hostname of a pipeline: `<pipeline>.<namespace>.<suffix>`, lower-cased. Each DNS label must be a
 * DNS-1123 label of at most 63 characters and the whole name at most 253; the error names the pipeline.
 *
 * @example pipelineHostname("Otsu", "imaging", "example.com") === "otsu.imaging.example.com"
 */
export function pipelineHostname(
    pipeline: string,
    namespace: string,
    suffix: string,
    path = "pipeline",
): string {
    const hostname = `${pipeline}.${namespace}.${suffix}`.toLowerCase();
    const who = `pipeline ${JSON.stringify(pipeline)} in namespace ${JSON.stringify(namespace)}`;
    const example = "otsu.imaging.example.com";
    for (const label of hostname.split(".")) {
        if (label.length > MAX_LABEL) {
            invalidInput({
                path,
                given: hostname,
                expected: `a hostname for ${who} whose labels have at most ${MAX_LABEL} characters (${JSON.stringify(label)} has ${label.length})`,
                example,
            });
        }
    }
    if (hostname.length > MAX_NAME) {
        invalidInput({
            path,
            given: hostname,
            expected: `a hostname for ${who} of at most ${MAX_NAME} characters (it has ${hostname.length})`,
            example,
        });
    }
    const problems = dns1123SubdomainProblems(hostname);
    if (problems.length > 0) {
        invalidInput({
            path,
            given: hostname,
            expected: `a hostname for ${who} that ${problems.join(" and ")}`,
            example,
        });
    }
    return hostname;
}

/**
 * Checks a domain config: suffixes are DNS names, selectors are label pairs, and one entry is the
 * default (empty selector). Throws `InputPropertyError` at the offending path.
 */
export function validateDomainConfig(domains: DomainConfig, path = "domains"): void {
    const example = `{ "example.org": { selector: { app: "prod" } }, "example.com": {} }`;
    if (!domains || typeof domains !== "object" || Object.keys(domains).length === 0) {
        invalidInput({
            path,
            given: domains,
            expected: "at least one domain suffix, one of them the default (no selector)",
            example,
        });
    }
    for (const [suffix, entry] of Object.entries(domains)) {
        const entryPath = joinPath(path, suffix);
        const problems = dns1123SubdomainProblems(suffix);
        if (problems.length > 0) {
            invalidInput({
                path: entryPath,
                given: suffix,
                expected: `a lower-case DNS name as suffix that ${problems.join(" and ")}`,
                example: "example.com",
            });
        }
        for (const [key, value] of Object.entries(entry?.selector ?? {})) {
            const selectorPath = joinPath(joinPath(entryPath, "selector"), key);
            const keyProblems = qualifiedNameProblems(key);
            if (keyProblems.length > 0) {
                invalidInput({
                    path: selectorPath,
                    given: key,
                    expected: `a label key that ${keyProblems.join(" and ")}`,
                    example: "app",
                });
            }
            const valueProblems =
                typeof value === "string" ? labelValueProblems(value) : ["must be a string"];
            if (valueProblems.length > 0) {
                invalidInput({
                    path: selectorPath,
                    given: value,
                    expected: `a label value that ${valueProblems.join(" and ")}`,
                    example: "prod",
                });
            }
        }
    }
    if (!Object.values(domains).some((entry) => Object.keys(entry?.selector ?? {}).length === 0)) {
        invalidInput({
            path,
            given: Object.keys(domains),
            expected: "a default entry: one suffix without selector, used when no other matches",
            example,
        });
    }
}

/**
 * The data of Koalja's `koalja-domain-config` ConfigMap: one key per suffix, whose value is a YAML
 * `selector:` block, or empty for the default.
 */
export function koaljaDomainConfigData(
    domains: DomainConfig,
    path = "domains",
): Record<string, string> {
    validateDomainConfig(domains, path);
    const data: Record<string, string> = {};
    for (const suffix of Object.keys(domains).sort()) {
        const selector = domains[suffix].selector ?? {};
        data[suffix] = Object.keys(selector).length === 0 ? "" : stringify({ selector });
    }
    return data;
}

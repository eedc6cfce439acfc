import { stringify } from "yaml";
import {
    checkShape,
    dns1123SubdomainProblems,
    invalidInput,
    reportRefusals,
    type Labels,
    type Reporter,
} from "../core";

/** One domain suffix and the pipelines it serves. */
export interface DomainSelector {
    /**
     * Labels a pipeline must carry, all of them, with exactly these values. Empty or absent: the
     * default suffix, which matches every pipeline and is chosen only when nothing more specific does.
     * @example { app: "prod" }
     */
    selector?: Labels;
}

/**
 * Domain suffixes (lower-case DNS names) and the pipelines they serve, as in Koalja's and Knative's
 * domain ConfigMap. One entry is the default: no selector, or an empty one.
 * @propertyNames { "format": "dns-subdomain" }
 * @minProperties 1
 * @example { "example.org": { selector: { app: "prod" } }, "example.com": {} }
 */
export type DomainConfig = Record<string, DomainSelector>;

const DOMAINS_EXAMPLE = `{ "example.org": { selector: { app: "prod" } }, "example.com": {} }`;
const MAX_LABEL = 63;
const MAX_NAME = 253;

/**
 * The domain suffix for a pipeline with `labels`: among the entries whose selector pairs all equal the
 * pipeline's labels, the one with most pairs; ties go to the lexicographically smallest suffix. This
 * is the Koalja (and Knative) rule. A config without a default entry (empty selector) is refused, as
 * is any config or label set of the wrong shape; `path` names the config in the refusal.
 *
 * @example selectDomainSuffix({ app: "prod" }, { "example.org": { selector: { app: "prod" } }, "example.com": {} }) === "example.org"
 */
export function selectDomainSuffix(
    labels: Record<string, string>,
    domains: DomainConfig,
    path = "domains",
): string {
    const reporter = helperReporter();
    const checkedLabels = checkShape<Record<string, string>>(
        { type: "object", additionalProperties: { type: "string" } },
        labels,
        reporter,
        "labels",
    );
    const checked = checkShape<DomainConfig>("DomainConfig", domains, reporter, path);
    reportRefusals(reporter, () => checkDefaultDomain(checked, path));
    return selectSuffix(checkedLabels, checked);
}

/**
 * The Koalja rule of {@link selectDomainSuffix} on a config that passed {@link checkDefaultDomain}.
 */
export function selectSuffix(labels: Record<string, string>, domains: DomainConfig): string {
    let best: string | undefined;
    let bestPairs = -1;
    for (const [suffix, entry] of Object.entries(domains)) {
        const selector = entry.selector ?? {};
        const pairs = Object.keys(selector).length;
        const matches = Object.entries(selector).every(
            ([key, value]) =>
                Object.prototype.hasOwnProperty.call(labels, key) && labels[key] === value,
        );
        if (!matches) {
            continue;
        }
        if (pairs > bestPairs || (pairs === bestPairs && best !== undefined && suffix < best)) {
            best = suffix;
            bestPairs = pairs;
        }
    }
    // The default entry matches everything, and the config has one.
    return best as string;
}

/**
 * The domain rule of a config whose shape is checked: one entry is the default (no selector, or an
 * empty one), used when no other matches.
 */
export function checkDefaultDomain(domains: DomainConfig, path: string): void {
    if (!Object.values(domains).some((entry) => Object.keys(entry.selector ?? {}).length === 0)) {
        invalidInput({
            path,
            given: Object.keys(domains),
            expected: "a default entry: one suffix without selector, used when no other matches",
            example: DOMAINS_EXAMPLE,
        });
    }
}

/**
 * The hostname of a pipeline: `<pipeline>.<namespace>.<suffix>`, lower-cased. Each DNS label must be a
 * DNS-1123 label of at most 63 characters and the whole name at most 253; the refusal names the
 * pipeline, at `path`.
 *
 * @example pipelineHostname("Otsu", "imaging", "example.com") === "otsu.imaging.example.com"
 */
export function pipelineHostname(
    pipeline: string,
    namespace: string,
    suffix: string,
    path = "pipeline",
): string {
    return reportRefusals(helperReporter(), () => {
        for (const [given, what, example] of [
            [pipeline, "pipeline name", "otsu"],
            [namespace, "namespace", "imaging"],
            [suffix, "domain suffix", "example.com"],
        ] as const) {
            if (typeof given !== "string") {
                invalidInput({ path, given, expected: `the ${what} as a string`, example });
            }
        }
        return hostname(pipeline, namespace, suffix, path);
    });
}

/**
 * `<pipeline>.<namespace>.<suffix>`, lower-cased, or the refusal of a name DNS cannot hold.
 */
export function hostname(
    pipeline: string,
    namespace: string,
    suffix: string,
    path: string,
): string {
    const name = `${pipeline}.${namespace}.${suffix}`.toLowerCase();
    const who = `pipeline ${JSON.stringify(pipeline)} in namespace ${JSON.stringify(namespace)}`;
    const example = "otsu.imaging.example.com";
    for (const label of name.split(".")) {
        if (label.length > MAX_LABEL) {
            invalidInput({
                path,
                given: name,
                expected: `a hostname for ${who} whose labels have at most ${MAX_LABEL} characters (${JSON.stringify(label)} has ${label.length})`,
                example,
            });
        }
    }
    if (name.length > MAX_NAME) {
        invalidInput({
            path,
            given: name,
            expected: `a hostname for ${who} of at most ${MAX_NAME} characters (it has ${name.length})`,
            example,
        });
    }
    const problems = dns1123SubdomainProblems(name);
    if (problems.length > 0) {
        invalidInput({
            path,
            given: name,
            expected: `a hostname for ${who} that ${problems.join(" and ")}`,
            example,
        });
    }
    return name;
}

/**
 * The data of Koalja's `koalja-domain-config` ConfigMap: one key per suffix, whose value is a YAML
 * `selector:` block, or empty for the default.
 */
export function koaljaDomainConfigData(domains: DomainConfig): Record<string, string> {
    const data: Record<string, string> = {};
    for (const suffix of Object.keys(domains).sort()) {
        const selector = domains[suffix].selector ?? {};
        data[suffix] = Object.keys(selector).length === 0 ? "" : stringify({ selector });
    }
    return data;
}

/** The helpers' refusals carry no instance: they name the argument only. */
function helperReporter(): Reporter {
    return { label: "", path: (relative) => relative };
}

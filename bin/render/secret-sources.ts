import { REDACTED } from "../../components/core";
import { base64Forms, generatedCredentials, type Registration } from "../../components/testing";

/** Where a secret value comes from: a secure config key or a resource that mints a credential. */
export interface SecretSource {
    /** `config <key>` or `<Type> <resource name>`. */
    label: string;
    /** What the source's value looks like in this render (its placeholder, or the minted value's forms). */
    forms: string[];
}

/**
 * The sources of this render's secret values: each secure config key (by the placeholder that stands
 * for it) and each credential a mock provider minted (random keys, access keys, HMAC keys).
 */
export function secretSources(
    placeholders: Record<string, string>,
    registrations: readonly Registration[],
): SecretSource[] {
    return [
        ...Object.entries(placeholders).map(([key, placeholder]) => ({
            label: `config ${key}`,
            forms: [placeholder],
        })),
        ...generatedCredentials(registrations).map(({ resource, forms }) => {
            const [type, name] = resource.split(" ");
            return { label: `${type.split(":").pop()} ${name}`, forms };
        }),
    ];
}

/**
 * What a render shows for a secret value: `<redacted from <source>, …>`, its sources in the order
 * they appear in the value (the encrypting fernet key first), or `<redacted>` when no source is
 * known. Only source names are shown, never the value or anything derived from it: the text (and so
 * the diff of two renders) changes when a value's sources change, and only then.
 */
export function redactedText(value: unknown, sources: readonly SecretSource[]): string {
    const text = typeof value === "string" ? value : JSON.stringify(value ?? "");
    const found = sources
        .map(({ label, forms }) => ({ label, at: firstPosition(text, forms) }))
        .filter(({ at }) => at >= 0)
        .sort((a, b) => a.at - b.at);
    const labels = [...new Set(found.map(({ label }) => label))];
    return labels.length === 0 ? REDACTED : `<redacted from ${labels.join(", ")}>`;
}

/** The sources a redacted text names, in order; none for a bare `<redacted>` or any other value. */
export function sourcesOf(text: unknown): string[] {
    const match = typeof text === "string" ? /^<redacted from (.+)>$/.exec(text) : null;
    return match ? match[1].split(", ") : [];
}

/** The first position of any form in the text, in clear or base64 at any alignment; -1 when absent. */
function firstPosition(text: string, forms: readonly string[]): number {
    const positions = forms
        .flatMap((form) => [form, ...base64Forms(form)])
        .filter((form) => form !== "")
        .map((form) => text.indexOf(form))
        .filter((at) => at >= 0);
    return positions.length === 0 ? -1 : Math.min(...positions);
}

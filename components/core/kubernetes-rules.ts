/**
 * The API server's own validation rules that the OpenAPI schemas do not encode
 * (k8s.io/apimachinery/pkg/util/validation and pkg/api/resource). Each returns a list of
 * problems, empty when the value is valid, so callers can report all of them at once.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

export function dns1123LabelProblems(value: string): string[] {
    const problems: string[] = [];
    if (value.length > 63) {
        problems.push(`must be no more than 63 characters (has ${value.length})`);
    }
    if (!DNS1123_LABEL.test(value)) {
        problems.push(
            "must consist of lower case alphanumeric characters or '-', and start and end with an alphanumeric character",
        );
    }
    return problems;
}

export function dns1123SubdomainProblems(value: string): string[] {
    const problems: string[] = [];
    if (value.length > 253) {
        problems.push(`must be no more than 253 characters (has ${value.length})`);
    }
    if (!DNS1123_SUBDOMAIN.test(value)) {
        problems.push(
            "must consist of lower case alphanumeric characters, '-' or '.', and start and end with an alphanumeric character",
        );
    }
    return problems;
}

/** Label and annotation keys: an optional DNS-subdomain prefix and `/`, then a name of at most 63. */
export function qualifiedNameProblems(key: string): string[] {
    const parts = key.split("/");
    if (parts.length > 2) {
        return ["a qualified name must have at most one '/'"];
    }
    const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
    const problems: string[] = [];
    if (prefix !== undefined) {
        if (prefix.length === 0) {
            problems.push("prefix part must be non-empty");
        } else {
            problems.push(...dns1123SubdomainProblems(prefix).map((p) => `prefix part ${p}`));
        }
    }
    if (name.length === 0) {
        problems.push("name part must be non-empty");
    } else if (name.length > 63) {
        problems.push(`name part must be no more than 63 characters (has ${name.length})`);
    }
    if (name.length > 0 && !QUALIFIED_NAME.test(name)) {
        problems.push(
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        );
    }
    return problems;
}

export function labelValueProblems(value: string): string[] {
    const problems: string[] = [];
    if (value.length > 63) {
        problems.push(`must be no more than 63 characters (has ${value.length})`);
    }
    if (!LABEL_VALUE.test(value)) {
        problems.push(
            "a label value must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        );
    }
    return problems;
}

/** Keys of ConfigMap and Secret data. */
export function configMapKeyProblems(key: string): string[] {
    const problems: string[] = [];
    if (key.length === 0 || key.length > 253) {
        problems.push("must be 1 to 253 characters");
    }
    if (!CONFIG_MAP_KEY.test(key)) {
        problems.push("must consist of alphanumeric characters, '-', '_' or '.'");
    }
    if (key === "." || key === "..") {
        problems.push(`must not be '${key}'`);
    }
    return problems;
}

// resource.Quantity grammar: <signedNumber><suffix>, suffix binary (Ki..Ei), decimal SI (n u m "" k M G T P E)
// or a decimal exponent (e3, E-2).
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

export function quantityProblems(value: string): string[] {
    return QUANTITY.test(value)
        ? []
        : ["must be a number with an optional suffix (Ki, Mi, Gi, m, k, M, G, e3), no spaces"];
}

const QUANTITY_SUFFIXES: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    "": 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
};

/** The number a quantity stands for (`1Gi` is 1073741824), for comparing sizes; NaN for a non-quantity. */
export function quantityValue(value: string): number {
    const match = QUANTITY.exec(value);
    if (match === null) {
        return NaN;
    }
    const suffix = match[3] ?? "";
    const number = parseFloat(value.slice(0, value.length - suffix.length));
    return /^[eE]/.test(suffix)
        ? number * 10 ** Number(suffix.slice(1))
        : number * QUANTITY_SUFFIXES[suffix];
}

/** Whether a quantity is below zero; resource requests and limits must not be. */
export function isNegativeQuantity(value: string): boolean {
    return QUANTITY.test(value) && parseFloat(value) < 0;
}

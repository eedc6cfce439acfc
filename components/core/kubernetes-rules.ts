import { Address4, Address6 } from "ip-address";

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
    const nanos = quantityNanos(value);
    return nanos !== undefined && nanos < 0n;
}

const QUANTITY_PARTS =
    /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const BINARY_POWERS: Record<string, bigint> = { Ki: 1n, Mi: 2n, Gi: 3n, Ti: 4n, Pi: 5n, Ei: 6n };
const DECIMAL_EXPONENTS: Record<string, number> = {
    n: -9,
    u: -6,
    m: -3,
    "": 0,
    k: 3,
    M: 6,
    G: 9,
    T: 12,
    P: 15,
    E: 18,
};
const NANO = 1_000_000_000n;
/** resource.Quantity caps a magnitude at 2^63-1 units (`maxAllowed`). */
const MAX_NANOS = (2n ** 63n - 1n) * NANO;

/**
 * The exact value of a quantity in nano units (10^-9), as the API server stores it
 * (`resource.ParseQuantity`): anything finer than a nano is rounded up, away from zero, and a
 * magnitude above 2^63-1 is capped there. Undefined when the text is not a quantity. Sums and
 * comparisons of these are exact, which floating point is not (`0.1 + 0.2`, `8Ei`).
 */
export function quantityNanos(value: string): bigint | undefined {
    const parts = QUANTITY.test(value) ? QUANTITY_PARTS.exec(value) : null;
    if (!parts) {
        return undefined;
    }
    const [, sign, whole, fraction = "", suffix = ""] = parts;
    const digits = BigInt(`${whole}${fraction}` || "0") * 1024n ** (BINARY_POWERS[suffix] ?? 0n);
    if (digits === 0n) {
        return 0n;
    }
    const exponent =
        9 -
        fraction.length +
        (suffix in BINARY_POWERS
            ? 0
            : suffix in DECIMAL_EXPONENTS
              ? DECIMAL_EXPONENTS[suffix]
              : Number(suffix.slice(1)));
    const length = digits.toString().length;
    // Bounded before any power of ten is built: `1e999999999` is a (capped) quantity, not a hang.
    const magnitude =
        exponent + length > 30
            ? MAX_NANOS
            : exponent >= 0
              ? digits * 10n ** BigInt(exponent)
              : -exponent > length
                ? 1n
                : (digits + 10n ** BigInt(-exponent) - 1n) / 10n ** BigInt(-exponent);
    const capped = magnitude > MAX_NANOS ? MAX_NANOS : magnitude;
    return sign === "-" ? -capped : capped;
}

/** Suffixes with their size in nano units, largest first. */
const BINARY_SUFFIXES: Array<[string, bigint]> = (
    ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"] as const
).map((suffix) => [suffix, 1024n ** BINARY_POWERS[suffix] * NANO]);
const DECIMAL_SUFFIXES: Array<[string, bigint]> = [
    ["E", 10n ** 27n],
    ["P", 10n ** 24n],
    ["T", 10n ** 21n],
    ["G", 10n ** 18n],
    ["M", 10n ** 15n],
    ["k", 10n ** 12n],
    ["", NANO],
    ["m", 1_000_000n],
    ["u", 1000n],
    ["n", 1n],
];

/**
 * A quantity's text from its nano units: the largest suffix that divides it exactly, binary
 * (`Ki` … `Ei`) when `binary` and the value is whole multiples of 1024, decimal otherwise
 * (`quantityNanos(formatQuantity(n)) === n`).
 */
export function formatQuantity(nanos: bigint, binary = false): string {
    const magnitude = nanos < 0n ? -nanos : nanos;
    const sign = nanos < 0n ? "-" : "";
    if (magnitude === 0n) {
        return "0";
    }
    const suffixes = binary ? BINARY_SUFFIXES : [];
    for (const [suffix, size] of [...suffixes, ...DECIMAL_SUFFIXES]) {
        if (magnitude % size === 0n) {
            return `${sign}${magnitude / size}${suffix}`;
        }
    }
    return `${sign}${magnitude}n`;
}

/** Whether a quantity's text uses a binary suffix (`Ki` … `Ei`), so values derived from it can too. */
export function isBinaryQuantity(value: string): boolean {
    return /(Ki|Mi|Gi|Ti|Pi|Ei)$/.test(value);
}

function parseCidr(text: string): Address4 | Address6 | undefined {
    if (!text.includes("/")) {
        return undefined;
    }
    try {
        return text.includes(":") ? new Address6(text) : new Address4(text);
    } catch {
        return undefined;
    }
}

/** A CIDR's canonical text: the network address (no host bits), lower case, IPv6 shortened. */
export function canonicalCidr(text: string): string | undefined {
    const parsed = parseCidr(text);
    return parsed && `${parsed.startAddress().correctForm()}/${parsed.subnetMask}`;
}

/**
 * A NetworkPolicy `ipBlock` CIDR (the API server's `ValidateCIDR`), held to its canonical form:
 * `10.1.2.3/8` parses, but it is a typo for `10.0.0.0/8`.
 */
export function cidrProblems(text: string): string[] {
    const canonical = canonicalCidr(text);
    if (canonical === undefined) {
        return ["must be an IPv4 or IPv6 network in CIDR notation (address/prefix length)"];
    }
    return canonical === text
        ? []
        : [`must be written canonically (no host bits set, lower case): ${canonical}`];
}

/** Whether `inner` is a network strictly inside `outer`, as an `ipBlock`'s `except` must be. */
export function cidrWithin(inner: string, outer: string): boolean {
    const a = parseCidr(inner);
    const b = parseCidr(outer);
    return (
        a !== undefined &&
        b !== undefined &&
        a.v4 === b.v4 &&
        a.subnetMask > b.subnetMask &&
        a.isInSubnet(b)
    );
}

import * as semver from "semver";
import {
    configMapKeyProblems,
    dns1123LabelProblems,
    dns1123SubdomainProblems,
    labelValueProblems,
    qualifiedNameProblems,
    quantityProblems,
} from "./kubernetes-rules";
import {
    imageNameProblems,
    imageReferenceProblems,
    imageTagProblems,
    registryUrlProblems,
} from "./registry-url";

/**
 * A named rule for a string argument. The args types name it with `@format <name>` in TSDoc (on a
 * type alias such as {@link NamespaceName}), the generated schema carries it, and the shape check
 * applies it, so a rule is written once and reported the same way everywhere.
 */
export interface Format {
    /** What a valid value is, for messages: `a namespace name (DNS-1123 label)`. */
    expected: string;
    /** A value that passes. */
    example: string;
    /** What is wrong with a string; empty when it is valid. */
    problems(value: string): string[];
    /** A valid value close to the given one, when one can be derived (`Imaging` -> `imaging`). */
    suggest?(value: string): string | undefined;
}

/** Whether text holds a control character (newline, tab, escape, DEL …), which no name or key may. */
export function hasControlCharacter(text: string): boolean {
    for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code < 0x20 || code === 0x7f) {
            return true;
        }
    }
    return false;
}

/** Go's `time.ParseDuration` units in seconds. */
const DURATION_UNITS: Record<string, number> = {
    ns: 1e-9,
    us: 1e-6,
    µs: 1e-6,
    ms: 1e-3,
    s: 1,
    m: 60,
    h: 3600,
};
const GO_DURATION = /^((\d+(\.\d+)?)(ns|us|µs|ms|s|m|h))+$/;
/** Durations below a second or above 30 days are typos in every argument that takes one. */
export const DURATION_BOUNDS = { minSeconds: 1, maxSeconds: 30 * 24 * 3600 } as const;

/** Seconds of a Go duration (`1h30m`, `90s`); undefined when the text is not one. */
export function goDurationSeconds(text: string): number | undefined {
    if (!GO_DURATION.test(text)) {
        return undefined;
    }
    let total = 0;
    for (const part of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
        total += Number(part[1]) * DURATION_UNITS[part[2]];
    }
    return total;
}

function durationProblems(value: string): string[] {
    const seconds = goDurationSeconds(value);
    if (seconds === undefined) {
        return ["must be a Go duration: numbers with the units h, m, s (or ms, us, ns)"];
    }
    if (seconds < DURATION_BOUNDS.minSeconds || seconds > DURATION_BOUNDS.maxSeconds) {
        return ["must be between 1s and 720h"];
    }
    return [];
}

/** AWS region names, commercial and partitions (`eu-central-1`, `us-gov-west-1`, `cn-north-1`). */
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/;

/** Lower-cases and replaces what a DNS label cannot hold, for a suggestion. */
function toLabel(value: string, max = 63): string | undefined {
    const cleaned = value
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+/, "")
        .slice(0, max)
        .replace(/-+$/, "");
    return cleaned === "" ? undefined : cleaned;
}

function toSubdomain(value: string): string | undefined {
    const cleaned = value
        .toLowerCase()
        .replace(/[^a-z0-9.-]+/g, "-")
        .replace(/^[-.]+/, "")
        .slice(0, 253)
        .replace(/[-.]+$/, "");
    return cleaned === "" ? undefined : cleaned;
}

/** Every named format the args types use. */
export const FORMATS: Record<string, Format> = {
    "dns-label": {
        expected: "a DNS-1123 label",
        example: "pipelines",
        problems: dns1123LabelProblems,
        suggest: (value) => toLabel(value),
    },
    "dns-subdomain": {
        expected: "a DNS-1123 subdomain",
        example: "registry-credentials",
        problems: dns1123SubdomainProblems,
        suggest: toSubdomain,
    },
    "label-key": {
        expected: "a label key ([prefix/]name)",
        example: "pipeline-platform.io/project",
        problems: qualifiedNameProblems,
    },
    "label-value": {
        expected: "a label value",
        example: "imaging",
        problems: labelValueProblems,
    },
    quantity: {
        expected: "a Kubernetes quantity",
        example: "1Gi",
        problems: (value) =>
            quantityProblems(value).length > 0
                ? quantityProblems(value)
                : value.startsWith("-")
                  ? ["must not be negative"]
                  : [],
    },
    duration: {
        expected: "a duration",
        example: "6h",
        problems: durationProblems,
    },
    "aws-region": {
        expected: "an AWS region name",
        example: "eu-central-1",
        problems: (value) =>
            AWS_REGION.test(value) ? [] : ["must look like eu-central-1 or us-gov-west-1"],
        suggest: (value) => {
            const lower = value.trim().toLowerCase().replace(/_/g, "-");
            return AWS_REGION.test(lower) ? lower : undefined;
        },
    },
    "registry-url": {
        expected: "a registry URL",
        example: "https://registry.example.com:5000/team",
        problems: registryUrlProblems,
    },
    "image-reference": {
        expected: "an image reference",
        example: "registry.example.com:5000/team/otsus-method:1.0.0",
        problems: imageReferenceProblems,
    },
    "image-name": {
        expected: "an image name",
        example: "otsus-method",
        problems: imageNameProblems,
        suggest: (value) => {
            const lower = value.toLowerCase();
            return imageNameProblems(lower).length === 0 ? lower : undefined;
        },
    },
    "image-tag": {
        expected: "an image tag",
        example: "1.0.0",
        problems: imageTagProblems,
    },
    semver: {
        expected: "a semver version",
        example: "1.0.0",
        problems: (value) =>
            semver.valid(value) === value && !value.includes("+")
                ? []
                : ["must be MAJOR.MINOR.PATCH with an optional -prerelease"],
    },
    "secret-key": {
        expected: "a Secret or ConfigMap key",
        example: "password",
        problems: configMapKeyProblems,
    },
    "registry-username": {
        expected: "a registry user name",
        example: "robot$pipelines",
        problems: (value) =>
            value === "" || value.includes(":") || hasControlCharacter(value)
                ? [
                      "must be non-empty, without ':' (it separates user and password in the pull Secret) and control characters",
                  ]
                : [],
    },
    "gcp-project": {
        expected: "a GCP project id",
        example: "my-project-123",
        problems: (value) =>
            /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(value)
                ? []
                : ["must be 6 to 30 lower-case letters, digits and '-', starting with a letter"],
    },
    "config-key": {
        expected: "the name of a secure config key",
        example: "registryPassword",
        problems: (value) =>
            /^[A-Za-z][A-Za-z0-9_-]{0,127}$/.test(value)
                ? []
                : [
                      "must be letters, digits, '_' and '-', starting with a letter, without a namespace",
                  ],
    },
};

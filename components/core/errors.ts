import * as pulumi from "@pulumi/pulumi";

/** What a rejected input looks like, so every message reads the same way. */
export interface InvalidInput {
    /** The property path from the component's args, e.g. `registry.url` or `namespaces[2]`. */
    path: string;
    /** The value that was given; rendered by {@link describeValue}. */
    given: unknown;
    /** What was expected, e.g. `a URL with http:// or https://`. */
    expected: string;
    /** An example of a good value that itself passes, e.g. `https://registry.example.com:5000/team`. */
    example: unknown;
    /** The value is a credential: the message says `<redacted>` instead of showing it. */
    secret?: boolean;
}

/** What stands for a credential in every message. */
export const REDACTED = "<redacted>";

/**
 * Lower-cased names (of a key or an environment variable) whose string value would be a credential.
 * `…SecretName`, `…SecretKeyRef` of a Secret reference and the like do not match.
 */
export const CREDENTIAL_NAME =
    /password|passwd|^pass$|secret_?key$|fernet_?key$|jwt_?secret$|sql_alchemy_conn$|broker_?url$|result_backend$|access_?key|private_?key|service_?account_?key$|_token$|^token$|^auth$/;

/**
 * Whether a field or map key names a credential, so its value is never shown: a {@link
 * CREDENTIAL_NAME} that does not name something else (`passwordConfigKey`, `secretName`,
 * `secretAccessKeyKey` name a config key, a Secret, a key of a Secret).
 */
export function isCredentialName(name: string): boolean {
    const lower = name.toLowerCase();
    return CREDENTIAL_NAME.test(lower) && !/(configkey|name|keykey|ref)$/.test(lower);
}

/** Where userinfo may start in a word: after `scheme://`, or at the start of a bare `user:…@host`. */
const SCHEME = /[a-z][a-z0-9+.-]*:\/\//i;
const BARE_USER = /^[^/@:"]+:/;
/** An `@` that starts an image digest (`@sha256:…`) rather than ending userinfo. */
const DIGEST_AT = /^@[a-z0-9]+([+._-][a-z0-9]+)*:[a-f0-9]{32,}/;
const MAX_SHOWN = 120;

/**
 * Replaces a URL's userinfo, everything between `scheme://` (or the start of a `user:password@host`
 * word) and the URL's last `@` that does not start a digest, by `<redacted>`: a password holding
 * `/`, `@` or `"` is hidden too.
 */
export function redactUserinfo(text: string): string {
    return text.replace(/\S+/g, (word) => {
        const scheme = SCHEME.exec(word);
        const start = scheme ? scheme.index + scheme[0].length : BARE_USER.test(word) ? 0 : -1;
        if (start === -1) {
            return word;
        }
        let at = word.lastIndexOf("@");
        while (at >= start && DIGEST_AT.test(word.slice(at))) {
            at = at === 0 ? -1 : word.lastIndexOf("@", at - 1);
        }
        return at < start ? word : `${word.slice(0, start)}${REDACTED}${word.slice(at)}`;
    });
}

/**
 * Renders a given value for a message: short, JSON-quoted, never multi-line, and with the
 * `user:password@` part of any URL inside it replaced by `<redacted>@`.
 */
export function describeValue(value: unknown, secret = false): string {
    if (value === undefined) {
        return "nothing";
    }
    if (secret) {
        return REDACTED;
    }
    if (pulumi.Output.isInstance(value)) {
        return "an Output";
    }
    if (value instanceof Promise) {
        return "a Promise";
    }
    if (pulumi.Resource.isInstance(value)) {
        return "a resource";
    }
    const text = safeJson(value) ?? redactUserinfo(String(value));
    return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 3)}...` : text;
}

function safeJson(value: unknown): string | undefined {
    try {
        // A credential-named field of a given object (`{ password: … }`) is shown redacted.
        return JSON.stringify(value, (key, v: unknown) =>
            key !== "" && (typeof v === "string" || typeof v === "number") && isCredentialName(key)
                ? REDACTED
                : typeof v === "string"
                  ? redactUserinfo(v)
                  : typeof v === "bigint" || typeof v === "function" || typeof v === "symbol"
                    ? String(v)
                    : v,
        );
    } catch {
        return undefined;
    }
}

/** Renders an example the way a user would write it: plain text for a string, a literal otherwise. */
export function describeExample(example: unknown): string {
    if (typeof example === "string") {
        return example;
    }
    return literal(example);
}

function literal(value: unknown): string {
    if (Array.isArray(value)) {
        return `[${value.map(literal).join(", ")}]`;
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value).map(([k, v]) => `${propertyName(k)}: ${literal(v)}`);
        return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
    }
    return JSON.stringify(value) ?? String(value);
}

function propertyName(key: string): string {
    return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
}

/**
 * A refusal of one input value. `detail` is what follows the path (`got …; expected …, e.g. …`);
 * `label` names the component instance once the refusal has crossed a plan boundary.
 */
export class Refusal extends pulumi.InputPropertyError {
    constructor(
        readonly relativePath: string,
        readonly detail: string,
        readonly label?: string,
    ) {
        const path = relativePath === "" ? "(args)" : relativePath;
        super({
            propertyPath: relativePath,
            reason: `${label ? `${label}: ` : ""}${path}: ${detail}`,
        });
        this.name = "InputPropertyError";
    }
}

/**
 * Builds (does not throw) the refusal for a bad value: `<path>: got <given>; expected <what>, e.g.
 * <example>`. URL userinfo is redacted in every part, also where a check quotes the given value.
 */
export function refusal({ path, given, expected, example, secret }: InvalidInput): Refusal {
    return new Refusal(
        path,
        `got ${describeValue(given, secret)}; expected ${redactUserinfo(expected)}, e.g. ${redactUserinfo(describeExample(example))}`,
    );
}

/**
 * Throws `pulumi.InputPropertyError` naming the property path, the value given, what was expected
 * and an example. Plans call it before anything is registered, so bad input creates nothing.
 */
export function invalidInput(input: InvalidInput): never {
    throw refusal(input);
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

/** Appends a relative path (`url`, `[2].name`) to a prefix (`registries[0]`). */
export function appendPath(prefix: string, relative: string): string {
    if (prefix === "" || relative === "") {
        return prefix + relative;
    }
    return relative.startsWith("[") ? `${prefix}${relative}` : `${prefix}.${relative}`;
}

/**
 * Who reports a refusal and where: `label` names the component instance the user declared
 * (`RegistrySecret "platform-registry-local"`), `path` turns a path of the args being planned into
 * the path the user wrote. A component planned on its own reports under its own label; a component
 * a {@link Reporter} of `PipelinePlatform` plans reports under the platform's label and config paths.
 */
export interface Reporter {
    readonly label: string;
    path(relative: string): string;
}

/** The reporter of a component planned on its own: `Kind "name"`, paths unchanged. */
export function componentReporter(kind: string, name: string): Reporter {
    return { label: `${kind} ${JSON.stringify(name)}`, path: (relative) => relative };
}

/** A reporter for part of the input: relative paths are mapped, then reported by `parent`. */
export function nestedReporter(parent: Reporter, map: (relative: string) => string): Reporter {
    return { label: parent.label, path: (relative) => parent.path(map(relative)) };
}

/** Maps a path under `from` (`registry.url`) to the same path under `to` (`registries[0].url`). */
export function movePath(from: string, to: string): (relative: string) => string {
    return (relative) => {
        if (relative === from) {
            return to;
        }
        if (from === "") {
            return appendPath(to, relative);
        }
        const rest = relative.slice(from.length);
        return relative.startsWith(from) && (rest.startsWith(".") || rest.startsWith("["))
            ? appendPath(to, rest.startsWith(".") ? rest.slice(1) : rest)
            : relative;
    };
}

/**
 * Maps paths by the first of `moves` whose source they start with (`["image.imageName",
 * "installer.imageName"]`), and every other path under `prefix`: how a component reports its
 * child's refusals at the paths its own args (or a platform's config) gave the values at.
 */
export function movePaths(
    prefix: string,
    moves: ReadonlyArray<readonly [string, string]>,
): (relative: string) => string {
    return (relative) => {
        for (const [from, to] of moves) {
            if (
                relative === from ||
                relative.startsWith(`${from}.`) ||
                relative.startsWith(`${from}[`)
            ) {
                return movePath(from, to)(relative);
            }
        }
        return appendPath(prefix, relative);
    };
}

/**
 * Runs `check` and reports any refusal it throws through `reporter`: the path is mapped and the
 * component instance named. Refusals already reported (by a nested plan) pass unchanged; any other
 * error is a bug and passes unchanged too.
 */
export function reportRefusals<T>(reporter: Reporter, check: () => T): T {
    try {
        return check();
    } catch (err) {
        throw reported(reporter, err);
    }
}

/** The error `err` as `reporter` reports it (see {@link reportRefusals}). */
export function reported(reporter: Reporter, err: unknown): unknown {
    if (err instanceof Refusal) {
        return err.label !== undefined
            ? err
            : new Refusal(reporter.path(err.relativePath), err.detail, reporter.label);
    }
    if (pulumi.InputPropertyError.isInstance(err) && !(err instanceof Refusal)) {
        const prefix = `${err.propertyPath}: `;
        const detail = err.reason.startsWith(prefix) ? err.reason.slice(prefix.length) : err.reason;
        return new Refusal(reporter.path(err.propertyPath), detail, reporter.label);
    }
    return err;
}

/**
 * Runs `check` and re-throws its refusal with the property path nested under `parent`, so a
 * component that validates a child's args reports `processingImages[1].tag`, not `tag`.
 */
export function nestInputErrors<T>(parent: string, check: () => T): T {
    return reportRefusals({ label: "", path: (relative) => appendPath(parent, relative) }, () => {
        try {
            return check();
        } catch (err) {
            throw err instanceof Refusal && err.label === ""
                ? new Refusal(err.relativePath, err.detail)
                : err;
        }
    });
}

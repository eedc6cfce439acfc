import { invalidInput, joinPath } from "./errors";

/** A registry URL taken apart: what image references, `auths` keys and the v2 API each need. */
export interface RegistryUrl {
    protocol: "http" | "https";
    host: string;
    port?: number;
    /** Repository path under the host, without leading or trailing `/`; empty for the root. */
    path: string;
    /** `host[:port][/path]`: the prefix of image references (never a protocol). */
    imagePrefix: string;
    /** The `.dockerconfigjson` `auths` key; Docker Hub maps to `https://index.docker.io/v1/`. */
    server: string;
    /** True for `http://` registries: nodes must be told to trust them. */
    insecure: boolean;
    /** Base URL of the registry's v2 API, `<protocol>://host[:port]` (Docker Hub: registry-1.docker.io). */
    apiBase: string;
}

const DOCKER_HUB_HOSTS = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);
const DOCKER_HUB_SERVER = "https://index.docker.io/v1/";
const HOST = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IPV6_HOST = /^\[[0-9a-f:.]+\]$/;
const PATH_COMPONENT = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+([+._-][a-z0-9]+)*:[a-f0-9]{32,}$/;
const URL_EXAMPLE = "https://registry.example.com:5000/team";
const IMAGE_EXAMPLE = "registry.example.com:5000/team/otsus-method:1.0.0";

/** A parse result: the value, or the one thing wrong with the text. */
type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

function readRegistryUrl(url: string): Parsed<RegistryUrl> {
    const fail = (problem: string): Parsed<RegistryUrl> => ({ ok: false, problem });
    if (url.trim() === "") {
        return fail("must not be empty");
    }
    const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/.exec(url);
    if (!match) {
        return fail(
            "must start with http:// or https:// (image references carry no protocol, the registry URL must)",
        );
    }
    const protocol = match[1];
    if (protocol !== "http" && protocol !== "https") {
        return fail(`must use http or https, not ${protocol}`);
    }
    const rest = match[2];
    if (/[?#]/.test(rest)) {
        return fail("must have no query (?) or fragment (#)");
    }
    const slash = rest.indexOf("/");
    const authority = slash === -1 ? rest : rest.slice(0, slash);
    const repoPath = (slash === -1 ? "" : rest.slice(slash + 1)).replace(/\/+$/, "");
    if (authority.includes("@")) {
        return fail(
            "must not hold user:password; pass username and password as their own (secret) arguments",
        );
    }
    const hostPort = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(authority);
    if (!hostPort || hostPort[1] === "") {
        return fail("must have a host name after the protocol");
    }
    const host = hostPort[1];
    if (!HOST.test(host) && !IPV6_HOST.test(host)) {
        return fail("must have a lower-case host name (letters, digits, '-' and '.')");
    }
    let port: number | undefined;
    if (hostPort[2] !== undefined) {
        port = Number(hostPort[2]);
        if (port < 1 || port > 65535) {
            return fail("must have a port between 1 and 65535");
        }
    }
    if (repoPath !== "" && !repoPath.split("/").every((c) => PATH_COMPONENT.test(c))) {
        return fail(
            "must have a repository path of lower-case components separated by '/' (letters, digits, '.', '_', '-')",
        );
    }
    const hostPortText = port === undefined ? host : `${host}:${port}`;
    const imagePrefix = repoPath ? `${hostPortText}/${repoPath}` : hostPortText;
    const dockerHub = DOCKER_HUB_HOSTS.has(host) && port === undefined;
    return {
        ok: true,
        value: {
            protocol,
            host,
            port,
            path: repoPath,
            imagePrefix,
            server: dockerHub ? DOCKER_HUB_SERVER : imagePrefix,
            insecure: protocol === "http",
            apiBase: dockerHub ? "https://registry-1.docker.io" : `${protocol}://${hostPortText}`,
        },
    };
}

/** What is wrong with a registry URL; empty when it is valid (the `registry-url` format). */
export function registryUrlProblems(url: string): string[] {
    const parsed = readRegistryUrl(url);
    return parsed.ok ? [] : [parsed.problem];
}

/**
 * Parses `<protocol>://<host>[:<port>][/<repository path>]`. The protocol is required (Kaapana's
 * rule), `http` marks the registry insecure; credentials, queries and fragments are refused.
 *
 * @param path the property path used in error messages, e.g. `registry.url`.
 */
export function parseRegistryUrl(url: string, path = "url"): RegistryUrl {
    const parsed =
        typeof url === "string"
            ? readRegistryUrl(url)
            : { ok: false as const, problem: "must be a string" };
    if (!parsed.ok) {
        return invalidInput({
            path,
            given: url,
            expected: `a registry URL: ${parsed.problem}`,
            example: URL_EXAMPLE,
        });
    }
    return parsed.value;
}

/** What is wrong with an image name under a registry prefix (`team/otsus-method`); empty when valid. */
export function imageNameProblems(name: string): string[] {
    if (/:\/\//.test(name)) {
        return ["must not carry a protocol: image references never do"];
    }
    return name !== "" && name.split("/").every((c) => PATH_COMPONENT.test(c))
        ? []
        : ["must be lower-case components separated by '/' (letters, digits, '.', '_', '-')"];
}

/** What is wrong with an image tag; empty when valid. `latest` is refused: it is not a version. */
export function imageTagProblems(tag: string): string[] {
    if (tag === "latest") {
        return ["must not be 'latest', which makes a rollout depend on when a node pulled"];
    }
    return TAG.test(tag)
        ? []
        : ["must be letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-'"];
}

/**
 * `prefix/name:tag`, the reference pods and operators use. Rejects a protocol (Kaapana's rule:
 * image references never carry one), upper case, and an empty or `latest` tag.
 */
export function imageRef(prefix: string, name: string, tag: string, path = "image"): string {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(prefix)) {
        invalidInput({
            path,
            given: prefix,
            expected: "a registry prefix without a protocol",
            example: "registry.example.com:5000/team",
        });
    }
    const nameProblems = imageNameProblems(name);
    if (nameProblems.length > 0) {
        invalidInput({
            path: joinPath(path, "name"),
            given: name,
            expected: `an image name: ${nameProblems.join("; ")}`,
            example: "otsus-method",
        });
    }
    const tagProblems = imageTagProblems(tag);
    if (tagProblems.length > 0) {
        invalidInput({
            path: joinPath(path, "tag"),
            given: tag,
            expected: `an image tag: ${tagProblems.join("; ")}`,
            example: "1.0.0",
        });
    }
    return `${prefix}/${name}:${tag}`;
}

/** A parsed image reference `host[:port]/repository[:tag][@digest]`. */
export interface ImageReference {
    /** `host[:port]` of the registry. */
    registry: string;
    /** Repository path under the registry, e.g. `team/otsus-method`. */
    repository: string;
    tag?: string;
    digest?: string;
}

function readImageReference(ref: string): Parsed<ImageReference> {
    const fail = (problem: string): Parsed<ImageReference> => ({ ok: false, problem });
    if (ref === "") {
        return fail("must not be empty");
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) {
        return fail("must not carry a protocol (the registry URL carries it, the image does not)");
    }
    let rest = ref;
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at !== -1) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
        if (!DIGEST.test(digest)) {
            return fail("must have a digest of the form sha256:<64 hex digits>");
        }
    }
    let tag: string | undefined;
    const lastSlash = rest.lastIndexOf("/");
    const lastColon = rest.lastIndexOf(":");
    if (lastColon > lastSlash) {
        tag = rest.slice(lastColon + 1);
        rest = rest.slice(0, lastColon);
        if (!TAG.test(tag)) {
            return fail("must have a tag of letters, digits, '_', '.', '-'");
        }
    }
    if (tag === undefined && digest === undefined) {
        return fail("must have a tag or digest, so one exact image is meant");
    }
    const firstSlash = rest.indexOf("/");
    if (firstSlash === -1) {
        return fail("must start with a registry host");
    }
    const registry = rest.slice(0, firstSlash);
    const repository = rest.slice(firstSlash + 1);
    const hostOnly = registry.replace(/:\d+$/, "");
    if (!(
        HOST.test(hostOnly) &&
        (hostOnly.includes(".") || hostOnly === "localhost" || /:\d+$/.test(registry))
    )) {
        return fail("must start with a registry host (with a '.' or a port, or localhost)");
    }
    if (!repository.split("/").every((c) => PATH_COMPONENT.test(c))) {
        return fail(
            "must have a lower-case repository path (letters, digits, '.', '_', '-' separated by '/')",
        );
    }
    return { ok: true, value: { registry, repository, tag, digest } };
}

/** What is wrong with a fully qualified image reference; empty when valid (the `image-reference` format). */
export function imageReferenceProblems(ref: string): string[] {
    const parsed = readImageReference(ref);
    return parsed.ok ? [] : [parsed.problem];
}

/**
 * Parses a fully qualified image reference. The registry host is required (a reference without
 * one would silently mean Docker Hub), a protocol is refused, and a tag or digest is required.
 */
export function parseImageReference(ref: string, path = "image"): ImageReference {
    const parsed =
        typeof ref === "string"
            ? readImageReference(ref)
            : { ok: false as const, problem: "must be a string" };
    if (!parsed.ok) {
        return invalidInput({
            path,
            given: ref,
            expected: `an image reference: ${parsed.problem}`,
            example: IMAGE_EXAMPLE,
        });
    }
    return parsed.value;
}

/**
 * The `.dockerconfigjson` text for one registry:
 * `{"auths":{"<server>":{"username":…,"password":…,"auth":base64("user:pass")}}}`.
 * The result carries the password: wrap it in `pulumi.secret` and only put it into a Secret.
 */
export function dockerConfigJson(server: string, username: string, password: string): string {
    const auth = Buffer.from(`${username}:${password}`, "utf8").toString("base64");
    return JSON.stringify({ auths: { [server]: { username, password, auth } } });
}

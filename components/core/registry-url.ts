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

/**
 * Parses `<protocol>://<host>[:<port>][/<repository path>]`. The protocol is required (Kaapana's
 * rule), `http` marks the registry insecure; credentials, queries and fragments are refused.
 *
 * @param path the property path used in error messages, e.g. `registry.url`.
 */
export function parseRegistryUrl(url: string, path = "url"): RegistryUrl {
    const reject = (expected: string): never =>
        invalidInput({ path, given: url, expected, example: URL_EXAMPLE });
    if (typeof url !== "string" || url.trim() === "") {
        return reject("a registry URL with http:// or https://");
    }
    const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/.exec(url);
    if (!match) {
        return reject(
            "a registry URL that starts with http:// or https:// (image references carry no protocol, the registry URL must)",
        );
    }
    const protocol = match[1];
    if (protocol !== "http" && protocol !== "https") {
        return reject(`protocol http or https, not ${protocol}`);
    }
    const rest = match[2];
    if (/[?#]/.test(rest)) {
        return reject("no query (?) or fragment (#) in a registry URL");
    }
    const slash = rest.indexOf("/");
    const authority = slash === -1 ? rest : rest.slice(0, slash);
    const repoPath = (slash === -1 ? "" : rest.slice(slash + 1)).replace(/\/+$/, "");
    if (authority.includes("@")) {
        return reject(
            "no user:password inside the URL; pass username and password as their own (secret) arguments",
        );
    }
    const hostPort = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(authority);
    if (!hostPort || hostPort[1] === "") {
        return reject("a host name after the protocol");
    }
    const host = hostPort[1];
    if (!HOST.test(host) && !IPV6_HOST.test(host)) {
        return reject("a lower-case host name (letters, digits, '-' and '.')");
    }
    let port: number | undefined;
    if (hostPort[2] !== undefined) {
        port = Number(hostPort[2]);
        if (port < 1 || port > 65535) {
            return reject("a port between 1 and 65535");
        }
    }
    if (repoPath !== "" && !repoPath.split("/").every((c) => PATH_COMPONENT.test(c))) {
        return reject(
            "a repository path of lower-case components separated by '/' (letters, digits, '.', '_', '-')",
        );
    }
    const hostPortText = port === undefined ? host : `${host}:${port}`;
    const imagePrefix = repoPath ? `${hostPortText}/${repoPath}` : hostPortText;
    const dockerHub = DOCKER_HUB_HOSTS.has(host) && port === undefined;
    return {
        protocol,
        host,
        port,
        path: repoPath,
        imagePrefix,
        server: dockerHub ? DOCKER_HUB_SERVER : imagePrefix,
        insecure: protocol === "http",
        apiBase: dockerHub ? "https://registry-1.docker.io" : `${protocol}://${hostPortText}`,
    };
}

/**
 * `prefix/name:tag`, the reference pods and operators use. Rejects a protocol (Kaapana's rule:
 * image references never carry one), upper case, and an empty or `latest` tag.
 */
export function imageRef(prefix: string, name: string, tag: string, path = "image"): string {
    const namePath = joinPath(path, "name");
    const tagPath = joinPath(path, "tag");
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(prefix) || /:\/\//.test(name)) {
        invalidInput({
            path: /:\/\//.test(name) ? namePath : path,
            given: `${prefix}/${name}`,
            expected: "an image reference without a protocol",
            example: "registry.example.com:5000/team/otsus-method:1.0.0",
        });
    }
    if (prefix !== prefix.toLowerCase() || name !== name.toLowerCase()) {
        invalidInput({
            path: namePath,
            given: `${prefix}/${name}`,
            expected: "lower-case registry prefix and image name",
            example: "team/otsus-method",
        });
    }
    if (name === "" || !name.split("/").every((c) => PATH_COMPONENT.test(c))) {
        invalidInput({
            path: namePath,
            given: name,
            expected:
                "an image name of lower-case components separated by '/' (letters, digits, '.', '_', '-')",
            example: "otsus-method",
        });
    }
    if (tag === "" || tag === undefined) {
        invalidInput({ path: tagPath, given: tag, expected: "a non-empty tag", example: "1.0.0" });
    }
    if (tag === "latest") {
        invalidInput({
            path: tagPath,
            given: tag,
            expected:
                "an immutable version tag; 'latest' makes a rollout depend on when a node pulled",
            example: "1.0.0",
        });
    }
    if (!TAG.test(tag)) {
        invalidInput({
            path: tagPath,
            given: tag,
            expected:
                "a tag of letters, digits, '_', '.', '-' (at most 128, not starting with '.' or '-')",
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

/**
 * Parses a fully qualified image reference. The registry host is required (a reference without
 * one would silently mean Docker Hub), a protocol is refused, and a tag or digest is required.
 */
export function parseImageReference(ref: string, path = "image"): ImageReference {
    const example = "registry.example.com:5000/team/otsus-method:1.0.0";
    const reject = (expected: string): never =>
        invalidInput({ path, given: ref, expected, example });
    if (typeof ref !== "string" || ref === "") {
        return reject("an image reference host[:port]/repository:tag");
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) {
        return reject(
            "an image reference without a protocol (the registry URL carries it, the image does not)",
        );
    }
    let rest = ref;
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at !== -1) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
        if (!DIGEST.test(digest)) {
            return reject("a digest of the form sha256:<64 hex digits>");
        }
    }
    let tag: string | undefined;
    const lastSlash = rest.lastIndexOf("/");
    const lastColon = rest.lastIndexOf(":");
    if (lastColon > lastSlash) {
        tag = rest.slice(lastColon + 1);
        rest = rest.slice(0, lastColon);
        if (!TAG.test(tag)) {
            return reject("a tag of letters, digits, '_', '.', '-'");
        }
    }
    if (tag === undefined && digest === undefined) {
        return reject("a tag or digest, so the check pulls one exact image");
    }
    const firstSlash = rest.indexOf("/");
    if (firstSlash === -1) {
        return reject("a registry host before the repository");
    }
    const registry = rest.slice(0, firstSlash);
    const repository = rest.slice(firstSlash + 1);
    const hostOnly = registry.replace(/:\d+$/, "");
    if (!(
        HOST.test(hostOnly) &&
        (hostOnly.includes(".") || hostOnly === "localhost" || /:\d+$/.test(registry))
    )) {
        return reject("a registry host (with a '.' or a port, or localhost) before the repository");
    }
    if (!repository.split("/").every((c) => PATH_COMPONENT.test(c))) {
        return reject(
            "a lower-case repository path (letters, digits, '.', '_', '-' separated by '/')",
        );
    }
    return { registry, repository, tag, digest };
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

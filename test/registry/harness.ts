/**
 * A real registry on loopback for the pull-check tests: Debian's `docker-registry` (distribution
 * v2) with htpasswd or token auth, a tiny OCI image pushed with `skopeo`, a token service issuing
 * JWTs the registry trusts, and a server that accepts connections and never answers.
 */
import { ChildProcess, execFile, spawn, spawnSync } from "child_process";
import { createHash, createPrivateKey, randomUUID, sign, X509Certificate } from "crypto";
import * as fs from "fs";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import type { TestCa } from "./loopback";

const TOOLS: Record<string, string> = {
    "docker-registry": "docker-registry",
    htpasswd: "apache2-utils",
    skopeo: "skopeo",
    openssl: "openssl",
    tar: "tar",
};

/** Fails (never skips) when a tool the real-registry tests need is missing. */
export function requireTools(): void {
    const missing = Object.keys(TOOLS).filter(
        (tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0,
    );
    if (missing.length > 0) {
        throw new Error(
            `the real-registry tests need ${missing.join(", ")}: install with apt-get install ${[...new Set(missing.map((t) => TOOLS[t]))].join(" ")} (.ci/run does)`,
        );
    }
}

export function tempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

function run(
    command: string,
    args: string[],
    options: { cwd?: string; input?: string } = {},
): string {
    const result = spawnSync(command, args, { encoding: "utf8", timeout: 60000, ...options });
    if (result.status !== 0) {
        throw new Error(
            `${command} ${args.join(" ")} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout || result.error}`,
        );
    }
    return result.stdout;
}

/** Like `run`, without blocking the event loop: the token service in this process must answer skopeo. */
function runAsync(command: string, args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile(command, args, { encoding: "utf8", timeout: 60000 }, (error, stdout, stderr) => {
            if (error) {
                reject(
                    new Error(
                        `${command} ${args.join(" ")} failed: ${stderr || stdout || error.message}`,
                    ),
                );
            } else {
                resolve(stdout);
            }
        });
    });
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

function sha256(data: Buffer | string): string {
    return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** An OCI image layout with one image (`hello.txt` in one layer) tagged `tag`. */
export function buildOciLayout(dir: string, tag: string): string {
    const layout = path.join(dir, "layout");
    const blobs = path.join(layout, "blobs", "sha256");
    fs.mkdirSync(blobs, { recursive: true });
    const content = path.join(dir, "content");
    fs.mkdirSync(content);
    fs.writeFileSync(path.join(content, "hello.txt"), "hello from the pull-check test\n");
    const layerFile = path.join(dir, "layer.tar");
    run("tar", ["-C", content, "-cf", layerFile, "hello.txt"]);
    const layer = fs.readFileSync(layerFile);
    fs.rmSync(layerFile);
    const config = Buffer.from(
        JSON.stringify({
            architecture: "amd64",
            os: "linux",
            config: { Cmd: ["/hello.txt"] },
            rootfs: { type: "layers", diff_ids: [sha256(layer)] },
        }),
    );
    const manifest = Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            config: {
                mediaType: "application/vnd.oci.image.config.v1+json",
                digest: sha256(config),
                size: config.length,
            },
            layers: [
                {
                    mediaType: "application/vnd.oci.image.layer.v1.tar",
                    digest: sha256(layer),
                    size: layer.length,
                },
            ],
        }),
    );
    for (const blob of [layer, config, manifest]) {
        fs.writeFileSync(path.join(blobs, sha256(blob).slice("sha256:".length)), blob);
    }
    fs.writeFileSync(
        path.join(layout, "oci-layout"),
        JSON.stringify({ imageLayoutVersion: "1.0.0" }),
    );
    fs.writeFileSync(
        path.join(layout, "index.json"),
        JSON.stringify({
            schemaVersion: 2,
            manifests: [
                {
                    mediaType: "application/vnd.oci.image.manifest.v1+json",
                    digest: sha256(manifest),
                    size: manifest.length,
                    annotations: { "org.opencontainers.image.ref.name": tag },
                },
            ],
        }),
    );
    return layout;
}

/** Pushes the layout's `tag` to `destination` (`127.0.0.1:port/repo:tag`); returns the pushed manifest digest. */
export async function pushImage(
    layout: string,
    tag: string,
    destination: string,
    credentials: string,
    workDir: string,
): Promise<string> {
    const digestFile = path.join(workDir, "pushed.digest");
    await runAsync("skopeo", [
        "--insecure-policy",
        "copy",
        "--dest-tls-verify=false",
        "--dest-creds",
        credentials,
        "--digestfile",
        digestFile,
        `oci:${layout}:${tag}`,
        `docker://${destination}`,
    ]);
    return fs.readFileSync(digestFile, "utf8").trim();
}

/** What `skopeo inspect` reports as the digest of an image in the registry. */
export async function inspectDigest(image: string, credentials: string): Promise<string> {
    return JSON.parse(
        await runAsync("skopeo", [
            "--insecure-policy",
            "inspect",
            "--tls-verify=false",
            "--creds",
            credentials,
            `docker://${image}`,
        ]),
    ).Digest;
}

export interface RunningServer {
    port: number;
    stop(): Promise<void>;
}

export interface RunningRegistry extends RunningServer {
    /** `http://127.0.0.1:<port>` */
    url: string;
    /** `127.0.0.1:<port>` */
    host: string;
}

export type RegistryAuth =
    | { htpasswd: { users: Record<string, string> } }
    | { token: { realm: string; service: string; issuer: string; certFile: string } };

/** Starts `docker-registry` on a free loopback port; resolves once its v2 API answers. */
export async function startRegistry(dir: string, auth: RegistryAuth): Promise<RunningRegistry> {
    const port = await freePort();
    let authConfig: string;
    if ("htpasswd" in auth) {
        const file = path.join(dir, "htpasswd");
        const lines = Object.entries(auth.htpasswd.users).map(([user, pass]) =>
            run("htpasswd", ["-Bbn", user, pass]).trim(),
        );
        fs.writeFileSync(file, `${lines.join("\n")}\n`);
        authConfig = `  htpasswd:\n    realm: test-registry\n    path: ${file}\n`;
    } else {
        const t = auth.token;
        authConfig = `  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${t.certFile}\n`;
    }
    const configFile = path.join(dir, "config.yml");
    fs.writeFileSync(
        configFile,
        [
            "version: 0.1",
            "log:",
            "  level: warn",
            "storage:",
            "  filesystem:",
            `    rootdirectory: ${path.join(dir, "storage")}`,
            "http:",
            `  addr: 127.0.0.1:${port}`,
            "auth:",
            authConfig,
        ].join("\n"),
    );
    const child = spawn("docker-registry", ["serve", configFile], {
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    const url = `http://127.0.0.1:${port}`;
    await waitUntilAnswering(`${url}/v2/`, child, () => output);
    return { port, url, host: `127.0.0.1:${port}`, stop: () => stopProcess(child) };
}

async function waitUntilAnswering(
    url: string,
    child: ChildProcess,
    output: () => string,
): Promise<void> {
    const deadline = Date.now() + 15000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) {
            throw new Error(`docker-registry exited with ${child.exitCode}: ${output()}`);
        }
        try {
            await fetch(url, { signal: AbortSignal.timeout(1000) });
            return;
        } catch {
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    }
    await stopProcess(child);
    throw new Error(`docker-registry did not answer on ${url} within 15 s: ${output()}`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) {
        return;
    }
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
}

/** A server that accepts TCP connections and never sends a byte. */
export async function startSilentServer(): Promise<RunningServer> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        port: (server.address() as net.AddressInfo).port,
        stop: async () => {
            for (const socket of sockets) {
                socket.destroy();
            }
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}

export interface TokenIssuer {
    /** PEM certificate the registry trusts (`rootcertbundle`). */
    certFile: string;
    keyFile: string;
    issuer: string;
    service: string;
}

/** A self-signed RSA key and certificate for signing registry tokens. */
export function createTokenIssuer(dir: string): TokenIssuer {
    const keyFile = path.join(dir, "token.key");
    const certFile = path.join(dir, "token.crt");
    run("openssl", [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        keyFile,
        "-out",
        certFile,
        "-days",
        "1",
        "-subj",
        "/CN=pull-check-test-token-issuer",
    ]);
    return {
        certFile,
        keyFile,
        issuer: "pull-check-test-issuer",
        service: "pull-check-test-registry",
    };
}

export interface TokenServer extends RunningServer {
    /** `https://127.0.0.1:<port>/token` */
    realm: string;
    /** Every request the service received: its query and the user it authenticated, if any. */
    requests: Array<{ service: string | null; scope: string | null; user?: string }>;
}

/**
 * The Docker token service: `GET /token?service=…&scope=repository:<name>:pull` with Basic
 * credentials returns `{ token }`, a JWT signed with the issuer's key and carrying its certificate
 * in `x5c`, granting the requested pull and push. Unknown users and wrong passwords get 401.
 * Served over TLS with the test CA's certificate: it is another origin than the registry, so the
 * credentials may go to it only over https.
 */
export async function startTokenServer(
    issuer: TokenIssuer,
    users: Record<string, string>,
    tls: TestCa,
): Promise<TokenServer> {
    const key = createPrivateKey(fs.readFileSync(issuer.keyFile));
    const certDer = new X509Certificate(fs.readFileSync(issuer.certFile)).raw.toString("base64");
    const requests: TokenServer["requests"] = [];
    const server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
        const query = new URL(req.url ?? "/", "http://localhost").searchParams;
        const [user, pass] = Buffer.from(
            (req.headers.authorization ?? "").replace(/^Basic /, ""),
            "base64",
        )
            .toString("utf8")
            .split(":");
        const authenticated =
            user !== undefined && users[user] !== undefined && users[user] === pass;
        requests.push({
            service: query.get("service"),
            scope: query.get("scope"),
            user: authenticated ? user : undefined,
        });
        if (!authenticated) {
            res.writeHead(401, { "Content-Type": "application/json" });
            res.end(JSON.stringify({ details: "incorrect username or password" }));
            return;
        }
        const access = (query.get("scope") ?? "")
            .split(" ")
            .filter(Boolean)
            .map((scope) => {
                const [type, name, actions] = scope.split(":");
                return {
                    type,
                    name,
                    actions: actions.split(",").filter((a) => a === "pull" || a === "push"),
                };
            });
        const now = Math.floor(Date.now() / 1000);
        const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
        const unsigned = `${encode({ typ: "JWT", alg: "RS256", x5c: [certDer] })}.${encode({
            iss: issuer.issuer,
            sub: user,
            aud: query.get("service"),
            exp: now + 300,
            nbf: now - 10,
            iat: now,
            jti: randomUUID(),
            access,
        })}`;
        const token = `${unsigned}.${sign("sha256", Buffer.from(unsigned), key).toString("base64url")}`;
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    return {
        port,
        realm: `https://127.0.0.1:${port}/token`,
        requests,
        stop: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

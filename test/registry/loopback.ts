/**
 * Small servers on 127.0.0.1 that play registries and token services, hostile or not: plain HTTP
 * or TLS with a certificate from a test CA made with `openssl`. Each records the requests it got;
 * what it answers is set per test (`server.handle = …`).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as path from "path";

export interface TestCa {
    /** PEM of the CA certificate: what a client must trust. */
    caPem: string;
    /** PEM key and certificate for `127.0.0.1` (IP subjectAltName), signed by the CA. */
    keyPem: string;
    certPem: string;
}

function openssl(args: string[], cwd: string): void {
    const result = spawnSync("openssl", args, { cwd, encoding: "utf8", timeout: 30000 });
    if (result.status !== 0) {
        throw new Error(`openssl ${args.join(" ")} failed: ${result.stderr || result.error}`);
    }
}

/** A CA (P-256, one day) and a server certificate for 127.0.0.1 it signed, in `dir`. */
export function createTestCa(dir: string): TestCa {
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    openssl(
        [
            "req",
            "-x509",
            ...ec,
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "1",
            "-subj",
            "/CN=pull-check test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ],
        dir,
    );
    openssl(
        ["req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"],
        dir,
    );
    fs.writeFileSync(path.join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1\n");
    openssl(
        [
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "1",
            "-extfile",
            "server.ext",
        ],
        dir,
    );
    const read = (file: string) => fs.readFileSync(path.join(dir, file), "utf8");
    return { caPem: read("ca.crt"), keyPem: read("server.key"), certPem: read("server.crt") };
}

export interface RecordedRequest {
    path: string;
    authorization?: string;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface LoopbackServer {
    /** `http://127.0.0.1:<port>` or `https://127.0.0.1:<port>` */
    origin: string;
    /** `127.0.0.1:<port>` */
    host: string;
    /** Every request since the last `reset()`. */
    requests: RecordedRequest[];
    /** What the server answers; a 500 until a test sets it. */
    handle: Handler;
    /** Forgets the recorded requests and answers 500 again. */
    reset(): void;
    stop(): Promise<void>;
}

/** Starts a server on a free loopback port; TLS when `tls` is given. */
export async function startLoopback(tls?: TestCa): Promise<LoopbackServer> {
    const sockets = new Set<net.Socket>();
    const unset: Handler = (_req, res) => {
        res.writeHead(500);
        res.end();
    };
    const loopback = {
        requests: [] as RecordedRequest[],
        handle: unset,
    } as LoopbackServer;
    const listener: Handler = (req, res) => {
        loopback.requests.push({
            path: req.url ?? "",
            ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        });
        loopback.handle(req, res);
    };
    const server = tls
        ? https.createServer({ key: tls.keyPem, cert: tls.certPem }, listener)
        : http.createServer(listener);
    server.on("connection", (socket: net.Socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
    });
    server.on("tlsClientError", () => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    loopback.host = `127.0.0.1:${port}`;
    loopback.origin = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
    loopback.reset = () => {
        loopback.requests.length = 0;
        loopback.handle = unset;
    };
    loopback.stop = async () => {
        for (const socket of sockets) {
            socket.destroy();
        }
        await new Promise<void>((resolve) => server.close(() => resolve()));
    };
    return loopback;
}

/** A raw TCP server that answers every connection with `reply` (bytes that need not be HTTP). */
export async function startRawServer(
    reply: string,
): Promise<{ port: number; stop(): Promise<void> }> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        socket.on("error", () => undefined);
        socket.once("data", () => socket.end(reply));
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

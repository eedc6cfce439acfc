import { createHmac } from "crypto";
import {
    hasControlCharacter,
    invalidInput,
    joinPath,
    type Duration,
    type SecretName,
} from "../core";

/**
 * DAGs from a git repository, synced by the chart's git-sync (`dags.gitSync`). Credentials stay in
 * Secrets you create; the chart receives their names only.
 */
export interface AirflowGitDags {
    /**
     * The repository: `https://host[:port]/path`, `ssh://[user@]host[:port]/path` or
     * `user@host:path`. No credentials in it (use `credentialsSecret` or `sshKeySecret`).
     * @minLength 1
     * @maxLength 2048
     * @example "git@github.com:example/dags.git"
     */
    repository: string;
    /**
     * The branch, tag or commit to sync.
     * @minLength 1
     * @maxLength 255
     * @example "main"
     */
    ref: string;
    /**
     * The folder of the DAGs inside the repository, relative, `/`-separated. Default: the
     * repository's root.
     * @maxLength 1024
     * @example "dags"
     */
    subPath?: string;
    /**
     * A Secret in the Airflow namespace whose key `gitSshKey` holds the SSH private key (SSH
     * repositories only).
     * @example "airflow-git-ssh"
     */
    sshKeySecret?: SecretName;
    /**
     * The SSH host keys of the repository's host, one `known_hosts` line each (`ssh-keyscan`
     * output): required with `sshKeySecret`, so git-sync checks the host it pulls code from.
     * Marked secret so that a private key pasted here by mistake is never shown in a message.
     * @secret
     * @minItems 1
     * @maxItems 100
     * @example ["github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"]
     */
    knownHosts?: string[];
    /**
     * A Secret in the Airflow namespace with keys `GIT_SYNC_USERNAME`, `GITSYNC_USERNAME`,
     * `GIT_SYNC_PASSWORD` and `GITSYNC_PASSWORD` (a token as password): HTTPS repositories only.
     * Default: none (a public repository).
     * @example "airflow-git-token"
     */
    credentialsSecret?: SecretName;
    /**
     * Time between syncs. Default: the chart's `5s`.
     * @example "60s"
     */
    period?: Duration;
}

/** The repository's transport and host as git-sync will reach it. */
interface GitRemote {
    transport: "https" | "ssh";
    host: string;
    port?: number;
}

const HOST = "[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?";
const REPO_PATH = "[A-Za-z0-9._~/-]*[A-Za-z0-9._~-]";
const HTTPS = new RegExp(`^https://(${HOST})(?::([0-9]{1,5}))?/(${REPO_PATH})$`);
const SSH = new RegExp(`^ssh://(?:[A-Za-z0-9._-]+@)?(${HOST})(?::([0-9]{1,5}))?/(${REPO_PATH})$`);
const SCP = new RegExp(`^[A-Za-z0-9._-]+@(${HOST}):(${REPO_PATH})$`);

const EXAMPLE_REPOSITORY = "https://github.com/example/dags.git";

/** Parses the repository URL forms git-sync is given, refusing everything else. */
function gitRemote(repository: string): GitRemote {
    const refuse = (expected: string, example = EXAMPLE_REPOSITORY): never =>
        invalidInput({ path: "dags.git.repository", given: repository, expected, example });
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(repository) && !repository.startsWith("ssh://")) {
        refuse(
            "a repository URL without credentials (give a token in credentialsSecret, a key in sshKeySecret)",
        );
    }
    if (/^(http|git|file):\/\//i.test(repository) || /^[a-z]+::/i.test(repository)) {
        refuse(
            "an https://, ssh:// or user@host:path repository (plain http://, git:// and local or helper transports let anyone on the path change the DAGs Airflow runs)",
        );
    }
    const https = HTTPS.exec(repository);
    const ssh = SSH.exec(repository);
    const scp = SCP.exec(repository);
    const match = https ?? ssh;
    const path = match ? match[3] : scp?.[2];
    if (
        (!match && !scp) ||
        path === undefined ||
        path.split("/").some((s) => s === ".." || s === "")
    ) {
        refuse(
            "a repository URL: https://host[:port]/path, ssh://[user@]host[:port]/path or user@host:path, without spaces, query, fragment or '..'",
        );
    }
    const port = match?.[2] === undefined ? undefined : Number(match[2]);
    if (port !== undefined && (port < 1 || port > 65535)) {
        refuse("a port from 1 to 65535");
    }
    return {
        transport: https ? "https" : "ssh",
        host: (match ? match[1] : scp![1]).toLowerCase(),
        port,
    };
}

/** A ref git accepts (`git check-ref-format` rules), a tag, a branch or a commit hash. */
function checkRef(ref: string): void {
    const bad =
        !/^[A-Za-z0-9._/-]+$/.test(ref) ||
        ref.startsWith("-") ||
        ref.startsWith("/") ||
        ref.startsWith(".") ||
        ref.endsWith("/") ||
        ref.endsWith(".") ||
        ref.endsWith(".lock") ||
        ref.includes("..") ||
        ref.includes("//") ||
        ref.split("/").some((s) => s.startsWith("."));
    if (bad) {
        invalidInput({
            path: "dags.git.ref",
            given: ref,
            expected:
                "a branch, tag or commit git accepts: letters, digits and ._/-, not starting with '-', '/' or '.', without '..', '//' or a trailing '/', '.' or '.lock'",
            example: "main",
        });
    }
}

function checkSubPath(subPath: string): void {
    if (
        subPath !== "" &&
        !/^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/.test(subPath)
    ) {
        invalidInput({
            path: "dags.git.subPath",
            given: subPath,
            expected:
                "a relative folder inside the repository: names of letters, digits and ._- separated by '/', none starting with '.'",
            example: "dags",
        });
    }
}

/** The `known_hosts` patterns a host is looked up under (`[host]:port` off port 22). */
function hostKeys(remote: GitRemote): string {
    return remote.port === undefined || remote.port === 22
        ? remote.host
        : `[${remote.host}]:${remote.port}`;
}

/** Whether a `known_hosts` host field (plain patterns or a hashed `|1|salt|hash`) names `host`. */
function namesHost(field: string, host: string): boolean {
    if (field.startsWith("|1|")) {
        const [, , salt, hash] = field.split("|");
        return (
            createHmac("sha1", Buffer.from(salt ?? "", "base64"))
                .update(host)
                .digest("base64") === hash
        );
    }
    const patterns = field.split(",");
    const matches = (p: string) =>
        new RegExp(
            `^${p
                .replace(/[.+^${}()|[\]\\]/g, "\\$&")
                .replace(/\*/g, ".*")
                .replace(/\?/g, ".")}$`,
            "i",
        ).test(host);
    return (
        !patterns.some((p) => p.startsWith("!") && matches(p.slice(1))) &&
        patterns.some((p) => !p.startsWith("!") && matches(p))
    );
}

const KEY_TYPES =
    /^(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)$/;

function checkKnownHosts(knownHosts: string[], remote: GitRemote): void {
    const example = `${remote.host} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl`;
    knownHosts.forEach((line, i) => {
        const fields = line.trim().split(/\s+/);
        const [hosts, type, key] = fields[0]?.startsWith("@") ? fields.slice(1) : fields;
        if (
            hasControlCharacter(line) ||
            !hosts ||
            !type ||
            !KEY_TYPES.test(type) ||
            !key ||
            !/^[A-Za-z0-9+/]+={0,2}$/.test(key)
        ) {
            // A line that is no host key may be a pasted private key: never echoed.
            invalidInput({
                path: joinPath("dags.git.knownHosts", i),
                given: line,
                expected: `a known_hosts line, \`<hosts> <key type> <base64 key>\` (ssh-keyscan output; a private key goes in sshKeySecret)`,
                example,
                secret: true,
            });
        }
    });
    const wanted = hostKeys(remote);
    if (!knownHosts.some((line) => namesHost(line.trim().split(/\s+/)[0], wanted))) {
        invalidInput({
            path: "dags.git.knownHosts",
            given: knownHosts,
            expected: `a host key of ${wanted}, the repository's host (ssh-keyscan ${remote.port && remote.port !== 22 ? `-p ${remote.port} ` : ""}${remote.host})`,
            example: `["${example}"]`,
        });
    }
}

/**
 * Checks a git DAG source (URL form, ref, sub-path, how it authenticates, host keys) and returns the
 * chart's `dags.gitSync` values. The chart passes `branch` and `rev` to git-sync v4 as its deprecated
 * `GIT_SYNC_BRANCH`/`GIT_SYNC_REV`, and a branch overrides `ref` (git-sync v4.4.2 main.go), so the ref
 * goes in `branch` and `ref` both.
 */
export function gitSyncValues(git: AirflowGitDags): Record<string, unknown> {
    const remote = gitRemote(git.repository);
    checkRef(git.ref);
    checkSubPath(git.subPath ?? "");
    if (remote.transport === "ssh") {
        if (git.sshKeySecret === undefined) {
            invalidInput({
                path: "dags.git.sshKeySecret",
                given: undefined,
                expected: "the Secret holding the SSH key (key gitSshKey) for an SSH repository",
                example: "airflow-git-ssh",
            });
        }
        if (git.credentialsSecret !== undefined) {
            invalidInput({
                path: "dags.git.credentialsSecret",
                given: git.credentialsSecret,
                expected: "no credentialsSecret for an SSH repository (git-sync uses the SSH key)",
                example: "(leave it out)",
            });
        }
        if (git.knownHosts === undefined) {
            invalidInput({
                path: "dags.git.knownHosts",
                given: undefined,
                expected: `the host keys of ${remote.host}: without them git-sync turns host-key checking off`,
                example: `["${remote.host} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"]`,
            });
        }
        checkKnownHosts(git.knownHosts, remote);
    } else {
        for (const key of ["sshKeySecret", "knownHosts"] as const) {
            if (git[key] !== undefined) {
                invalidInput({
                    path: `dags.git.${key}`,
                    given: git[key],
                    expected: `no ${key} for an HTTPS repository (give a token in credentialsSecret)`,
                    example: "(leave it out)",
                });
            }
        }
    }
    return {
        enabled: true,
        repo: git.repository,
        branch: git.ref,
        ref: git.ref,
        rev: "HEAD",
        subPath: git.subPath ?? "",
        depth: 1,
        ...(git.sshKeySecret === undefined ? {} : { sshKeySecret: git.sshKeySecret }),
        ...(git.knownHosts === undefined ? {} : { knownHosts: `${git.knownHosts.join("\n")}\n` }),
        ...(git.credentialsSecret === undefined
            ? {}
            : { credentialsSecret: git.credentialsSecret }),
        ...(git.period === undefined ? {} : { period: git.period }),
    };
}

import { readFileSync } from "fs";
import * as path from "path";
import {
    chartValuesProblems,
    planAirflowDeployment,
    type AirflowDeploymentArgs,
} from "../../components/airflow";

/** Key paths, types and defaults of the chart 1.19.0 release schema (source in the file). */
const releaseKeys = JSON.parse(
    readFileSync(path.join(__dirname, "../fixtures/airflow-chart/ops-keys-1.19.0.json"), "utf8"),
) as { keys: Record<string, { type: string | string[] }>; absent: Record<string, boolean> };

const base: AirflowDeploymentArgs = {
    namespace: "airflow",
    database: { bundled: true },
    projectNamespaces: ["imaging"],
};

function computed(args: AirflowDeploymentArgs): Record<string, unknown> {
    return planAirflowDeployment("airflow", args).plan.values.computed;
}

/** Every leaf key path of a values object, dotted. */
function leafPaths(value: unknown, at = ""): string[] {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return [at];
    }
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, at === "" ? k : `${at}.${k}`));
}

/** Checks each value set under `prefix` against the release schema's key and type. */
function expectReleaseKeys(values: Record<string, unknown>, prefix: string): void {
    for (const leaf of leafPaths(values).filter((p) => p.startsWith(prefix))) {
        const key = releaseKeys.keys[leaf];
        expect([leaf, key !== undefined]).toEqual([leaf, true]);
        const value = leaf
            .split(".")
            .reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], values);
        const types = ([] as string[]).concat(key.type);
        const actual = Number.isInteger(value) ? "integer" : typeof value;
        expect([leaf, types.includes(actual)]).toEqual([leaf, true]);
    }
}

describe("AirflowDeployment: DAGs from git", () => {
    const knownHosts = [
        "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
        "github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=",
    ];

    test("an SSH repository syncs with the key Secret's name and the host keys; the ref goes in branch and ref", () => {
        const values = computed({
            ...base,
            dags: {
                git: {
                    repository: "git@github.com:example/dags.git",
                    ref: "release/2025.06",
                    subPath: "pipelines/dags",
                    sshKeySecret: "airflow-git-ssh",
                    knownHosts,
                    period: "60s",
                },
            },
        });
        expect((values.dags as Record<string, unknown>).gitSync).toEqual({
            enabled: true,
            repo: "git@github.com:example/dags.git",
            branch: "release/2025.06",
            ref: "release/2025.06",
            rev: "HEAD",
            subPath: "pipelines/dags",
            depth: 1,
            sshKeySecret: "airflow-git-ssh",
            knownHosts: `${knownHosts.join("\n")}\n`,
            period: "60s",
        });
        // The claim stays: git-sync writes the repository into it (chart 1.19.0 dag-processor template).
        expect((values.dags as Record<string, unknown>).persistence).toEqual({
            enabled: true,
            existingClaim: "airflow-dags",
        });
        expect(chartValuesProblems(values)).toEqual([]);
        expectReleaseKeys(values, "dags.gitSync");
    });

    test("an HTTPS repository takes a token Secret by name; hashed known_hosts entries and ports are understood", () => {
        const values = computed({
            ...base,
            dags: {
                git: {
                    repository: "https://gitlab.example.com/team/dags.git",
                    ref: "v1.2.0",
                    credentialsSecret: "airflow-git-token",
                },
            },
        });
        expect((values.dags as Record<string, unknown>).gitSync).toEqual({
            enabled: true,
            repo: "https://gitlab.example.com/team/dags.git",
            branch: "v1.2.0",
            ref: "v1.2.0",
            rev: "HEAD",
            subPath: "",
            depth: 1,
            credentialsSecret: "airflow-git-token",
        });
        expectReleaseKeys(values, "dags.gitSync");
        // OpenSSH's `ssh-keygen -H` of the line "[git.example.com]:2222 ssh-ed25519 AAAA…".
        const hashed =
            "|1|3rv9atVegJOUjBJCbTbsfA7xznY=|l4j/9i4om5eu5WsqGY1ir/TdQwg= ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
        expect(() =>
            computed({
                ...base,
                dags: {
                    git: {
                        repository: "ssh://git@git.example.com:2222/team/dags.git",
                        ref: "main",
                        sshKeySecret: "k",
                        knownHosts: [hashed],
                    },
                },
            }),
        ).not.toThrow();
    });
});

describe("AirflowDeployment: Celery scaling", () => {
    test("PgBouncer and KEDA autoscaling map to the chart 1.19.0 keys (workers.keda; workers.celery.keda does not exist yet)", () => {
        const values = computed({
            ...base,
            executor: "CeleryExecutor",
            celery: {
                pgbouncer: { maxClientConn: 200, metadataPoolSize: 20, replicas: 2 },
                autoscaling: {
                    minWorkers: 1,
                    maxWorkers: 12,
                    pollingIntervalSeconds: 10,
                    cooldownPeriodSeconds: 300,
                },
            },
        });
        expect(values.pgbouncer).toEqual({
            enabled: true,
            replicas: 2,
            maxClientConn: 200,
            metadataPoolSize: 20,
        });
        expect((values.workers as Record<string, unknown>).keda).toEqual({
            enabled: true,
            minReplicaCount: 1,
            maxReplicaCount: 12,
            pollingInterval: 10,
            cooldownPeriod: 300,
        });
        expect(releaseKeys.absent["workers.celery.keda"]).toBe(true);
        expect(chartValuesProblems(values)).toEqual([]);
        expectReleaseKeys(values, "pgbouncer");
        expectReleaseKeys(values, "workers.keda");
    });

    test("with an external database PgBouncer takes its config and stats Secrets by name", () => {
        const values = computed({
            ...base,
            executor: "CeleryExecutor",
            database: { external: { secretName: "airflow-database" } },
            celery: {
                pgbouncer: {
                    configSecretName: "airflow-pgbouncer-config",
                    statsSecretName: "airflow-pgbouncer-stats",
                },
                autoscaling: {
                    minWorkers: 0,
                    maxWorkers: 4,
                    query: "SELECT ceil(COUNT(*)::decimal / 16) FROM task_instance WHERE state IN ('running', 'queued')",
                },
            },
        });
        expect(values.pgbouncer).toEqual({
            enabled: true,
            configSecretName: "airflow-pgbouncer-config",
            metricsExporterSidecar: { statsSecretName: "airflow-pgbouncer-stats" },
        });
        expect(chartValuesProblems(values)).toEqual([]);
        expectReleaseKeys(values, "pgbouncer");
        expectReleaseKeys(values, "workers.keda");
    });
});

describe("AirflowDeployment: git refusals never show a credential", () => {
    test.each([
        [
            "a token in the URL",
            { repository: "https://robot:ghp_s3cretT0ken@github.com/x/dags.git" },
            "ghp_s3cretT0ken",
        ],
        [
            "a private key line as host keys",
            {
                repository: "git@github.com:x/dags.git",
                sshKeySecret: "k",
                knownHosts: [
                    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
                ],
            },
            "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ",
        ],
    ])("%s", (_title, git, secret) => {
        let message = "";
        try {
            planAirflowDeployment("airflow", { ...base, dags: { git: { ref: "main", ...git } } });
        } catch (err) {
            message = String((err as Error).message);
        }
        expect(message).toContain("dags.git.");
        expect(message).not.toContain(secret);
    });
});

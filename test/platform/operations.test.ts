import * as path from "path";
import { readStackConfig } from "../../bin/render";
import { planPlatform, type PlatformConfig } from "../../components/platform";

const devConfig = (): PlatformConfig =>
    JSON.parse(
        readStackConfig(path.join(__dirname, "../.."), "dev").config["pipeline-platform:platform"],
    );
const secrets = {
    registryPassword: "not-a-real-password",
    storageAccessKey: "not-a-real-access-key",
    storageSecretKey: "not-a-real-secret-key",
};

describe("PipelinePlatform: DAGs from git and Celery scaling from the config", () => {
    test("the Airflow plan gets git-sync, PgBouncer and KEDA values from config.airflow", () => {
        const config = devConfig();
        const plan = planPlatform("platform", {
            secrets,
            config: {
                ...config,
                extensions: [],
                airflow: {
                    ...config.airflow,
                    executor: "CeleryExecutor",
                    dags: {
                        git: {
                            repository: "https://github.com/example/dags.git",
                            ref: "main",
                            subPath: "dags",
                            credentialsSecret: "airflow-git-token",
                        },
                    },
                    celery: {
                        pgbouncer: { maxClientConn: 200 },
                        autoscaling: { minWorkers: 1, maxWorkers: 8 },
                    },
                },
            },
        }).plan;
        const values = plan.airflow.plan.values.computed as Record<string, Record<string, unknown>>;
        expect(values.dags.gitSync).toMatchObject({
            enabled: true,
            repo: "https://github.com/example/dags.git",
            ref: "main",
            branch: "main",
            subPath: "dags",
            credentialsSecret: "airflow-git-token",
        });
        expect(values.pgbouncer).toEqual({ enabled: true, maxClientConn: 200 });
        expect(values.workers.keda).toEqual({
            enabled: true,
            minReplicaCount: 1,
            maxReplicaCount: 8,
        });
        expect(plan.monitoring).toBeUndefined();
    });

    test("an extension with DAGs from git gives Airflow its git-sync source and installs no DAG installer", () => {
        const config = devConfig();
        const [extension] = config.extensions!;
        const plan = planPlatform("platform", {
            secrets,
            config: {
                ...config,
                extensions: [
                    {
                        ...extension,
                        installer: undefined,
                        dagsFromGit: {
                            repository: "git@github.com:example/otsus-method.git",
                            ref: "v1.0.0",
                            subPath: "dags",
                            sshKeySecret: "otsus-git-ssh",
                            knownHosts: [
                                "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
                            ],
                        },
                    },
                ],
            },
        }).plan;
        const values = plan.airflow.plan.values.computed as Record<string, Record<string, unknown>>;
        expect(values.dags.gitSync).toMatchObject({
            enabled: true,
            repo: "git@github.com:example/otsus-method.git",
            ref: "v1.0.0",
            subPath: "dags",
            sshKeySecret: "otsus-git-ssh",
        });
        expect(plan.extensions[0].plan.plan.chart).toBeUndefined();
        expect(plan.extensions[0].plan.plan.images.map((i) => i.name)).toEqual(["otsus-method"]);
    });

    test("monitoring.enabled false plans no monitoring; true plans it with the installed releases", () => {
        const config = devConfig();
        const off = planPlatform("platform", {
            secrets,
            config: { ...config, monitoring: { enabled: false } },
        }).plan;
        expect(off.monitoring).toBeUndefined();
        const on = planPlatform("platform", {
            secrets,
            config: { ...config, monitoring: { enabled: true } },
        }).plan;
        const args = on.monitoring!.plan.args;
        expect(args.namespace).toBe("pipeline-services");
        expect(args.airflow).toEqual({
            namespace: "pipeline-services",
            releaseName: "platform-airflow",
        });
        expect(args.contour).toEqual({ namespace: "projectcontour" });
        expect(args.dagInstallers).toEqual({
            namespace: "pipeline-services",
            releases: ["otsus-method"],
        });
    });
});

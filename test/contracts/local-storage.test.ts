// The dev stack on kind and k3d: their default storage class is the local-path provisioner, which
// binds ReadWriteOnce (and ReadWriteOncePod) only (test/fixtures/contracts/local-path-storage.json).
import { readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { renderStack } from "../../bin/render";
import { PipelinePlatform, type PlatformConfig } from "../../components/platform";
import { runProgram } from "../../components/testing";
import LOCAL from "../fixtures/contracts/local-path-storage.json";

const root = path.join(__dirname, "../..");
const devConfig = (): PlatformConfig =>
    parse(readFileSync(path.join(root, "stacks/Pulumi.dev.yaml"), "utf8")).config[
        "pipeline-platform:platform"
    ];
const devSecrets = {
    registryPassword: "registry-password",
    storageAccessKey: "access-key",
    storageSecretKey: "secret-key",
};

describe("the dev stack on kind and k3d", () => {
    let claims: Array<{ object: string; spec: Record<string, unknown> }>;
    let result: Awaited<ReturnType<typeof renderStack>>;
    beforeAll(async () => {
        result = await renderStack({ stack: "dev", root });
        expect(result.problems).toEqual([]);
        claims = result.manifests
            .filter((m) => m.manifest.kind === "PersistentVolumeClaim")
            .map((m) => ({ object: m.object, spec: m.manifest.spec as Record<string, unknown> }));
    });

    test("every claim asks the clusters' default class, which both clusters have", () => {
        expect(claims.map((c) => c.object)).toEqual([
            "PersistentVolumeClaim pipeline-services/platform-airflow-dags",
        ]);
        expect(Object.values(LOCAL.clusters).map((c) => c.defaultClass)).toEqual([true, true]);
        expect(claims.map((c) => [c.object, c.spec.storageClassName])).toEqual(
            claims.map((c) => [c.object, undefined]),
        );
    });

    test("every claim asks for an access mode the local-path provisioner binds", () => {
        expect(Object.values(LOCAL.clusters).map((c) => c.provisioner)).toEqual([
            LOCAL.provisioner.name,
            LOCAL.provisioner.name,
        ]);
        for (const claim of claims) {
            const unbound = (claim.spec.accessModes as string[]).filter(
                (mode) => !LOCAL.provisioner.accessModes.includes(mode),
            );
            expect([claim.object, unbound]).toEqual([claim.object, []]);
        }
    });

    test("the per-run data claims of task pods ask for a mode the provisioner binds", () => {
        const settings = result.manifests.find(
            (m) => m.object === "ConfigMap pipeline-services/platform-airflow-run-config",
        )!.manifest as unknown as { data: Record<string, string> };
        const volume = JSON.parse(settings.data["run-config.json"]).volume;
        expect(
            volume.accessModes.filter((m: string) => !LOCAL.provisioner.accessModes.includes(m)),
        ).toEqual([]);
    });
});

describe("a claim on a class the config declares ReadWriteOnce-only", () => {
    const rwoOnly = (config: PlatformConfig): PlatformConfig => ({
        ...config,
        prerequisites: {
            ...(config.prerequisites ?? {}),
            storageClasses: [LOCAL.clusters.kind.storageClass],
            storageClassAccessModes: {
                [LOCAL.clusters.kind.storageClass]: ["ReadWriteOnce", "ReadWriteOncePod"],
            },
        },
    });

    test("is refused at preview with the reason", async () => {
        const config = rwoOnly(devConfig());
        config.airflow = {
            ...config.airflow,
            dags: { storageClassName: LOCAL.clusters.kind.storageClass },
        };
        const run = runProgram(() => {
            new PipelinePlatform("platform", { config, secrets: devSecrets });
        });
        await expect(run).rejects.toThrow(
            'PipelinePlatform "platform": config.airflow.dags.accessModes: got ["ReadWriteMany"]; expected access modes the storage class "standard" binds (ReadWriteOnce, ReadWriteOncePod, as prerequisites.storageClassAccessModes declares): the DAG claim would ask for ReadWriteMany (the default) and stay Pending, and every pod that mounts it with it, e.g. ["ReadWriteOnce","ReadWriteOncePod"]',
        );
    });

    test("is accepted with ReadWriteOnce", async () => {
        const config = rwoOnly(devConfig());
        config.airflow = {
            ...config.airflow,
            dags: {
                storageClassName: LOCAL.clusters.kind.storageClass,
                accessModes: ["ReadWriteOnce"],
            },
        };
        const result = await runProgram(() => {
            new PipelinePlatform("platform", { config, secrets: devSecrets });
        });
        const claim = result.registrations.find((r) => r.name === "platform-airflow-dags")!;
        expect(claim.inputs.spec.accessModes).toEqual(["ReadWriteOnce"]);
    });
});

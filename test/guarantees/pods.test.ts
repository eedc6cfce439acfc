import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import {
    kubernetesManifests,
    podHardeningProblems,
    podSpecs,
    unexcusedHardeningProblems,
    type FoundPodSpec,
} from "../../components/testing";
import { allSubjects, ROOT } from "./subjects";
import { lazy } from "../support/evaluations";

describe("pod hardening", () => {
    const found = lazy(async () => {
        const specs: Array<FoundPodSpec & { program: string }> = [];
        for (const subject of allSubjects()) {
            const result = await subject.run();
            for (const spec of podSpecs(
                kubernetesManifests(result.registrations).map((m) => m.manifest),
            )) {
                specs.push({ ...spec, program: subject.name });
            }
        }
        return specs;
    });

    test("every pod spec the package creates (workloads and pod template files) is hardened, exceptions listed", async () => {
        const specs = await found();
        expect(specs.length).toBeGreaterThan(0);
        const problems = specs.flatMap(({ program, object, where, spec }) =>
            unexcusedHardeningProblems({ object, where, spec }).map(
                (p) => `${program} ${object} ${where} ${p.at}: ${p.message}`,
            ),
        );
        expect(problems).toEqual([]);
    }, 180000);

    test("podHardeningProblems names every missing setting of an unhardened pod", () => {
        expect(
            podHardeningProblems({ containers: [{ name: "app" }] }).map((p) => `${p.at} ${p.rule}`),
        ).toEqual([
            "pod automountServiceAccountToken",
            "containers[0] app allowPrivilegeEscalation",
            "containers[0] app capabilities",
            "containers[0] app seccompProfile",
            "containers[0] app runAsNonRoot",
        ]);
        expect(
            podHardeningProblems({
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                initContainers: [
                    {
                        name: "init",
                        securityContext: {
                            allowPrivilegeEscalation: false,
                            capabilities: { drop: ["ALL"] },
                        },
                    },
                ],
                containers: [
                    {
                        name: "app",
                        securityContext: {
                            allowPrivilegeEscalation: true,
                            capabilities: { drop: ["NET_RAW"] },
                        },
                    },
                ],
            }).map((p) => `${p.at} ${p.rule}`),
        ).toEqual(["containers[0] app allowPrivilegeEscalation", "containers[0] app capabilities"]);
    });
});

/**
 * The bundled dag-installer chart: helm is not available offline, so its templates are read as text.
 * Every workload template must take its pod spec from the one shared `dag-installer.podSpec`
 * definition, and that definition must carry every hardening setting.
 */
describe("the bundled dag-installer chart", () => {
    const chart = path.join(ROOT, "components/dags/chart");
    const templates = fs
        .readdirSync(path.join(chart, "templates"))
        .filter((f) => f.endsWith(".yaml"))
        .sort();
    const helpers = fs.readFileSync(path.join(chart, "templates/_helpers.tpl"), "utf8");
    const podSpec =
        /\{\{-? define "dag-installer\.podSpec" -?\}\}([\s\S]*?)\{\{-? end -?\}\}\s*$/.exec(
            helpers,
        )?.[1] ?? "";

    test("has the three workload templates: the copy/remove Job, the pre-delete hook Job and the prefetch Deployment", () => {
        expect(templates).toEqual(["delete-hook.yaml", "job.yaml", "prefetch-deployment.yaml"]);
    });

    test.each(templates)(
        "%s takes its pod spec from dag-installer.podSpec and declares no containers of its own",
        (file) => {
            const text = fs.readFileSync(path.join(chart, "templates", file), "utf8");
            expect(text).toMatch(
                /^ {4}spec:\n {6}\{\{- include "dag-installer\.podSpec" \(dict "root" \. /m,
            );
            expect(text).not.toMatch(
                /containers:|securityContext:|hostPath|hostNetwork|privileged/,
            );
        },
    );

    test("the installer pod gets no service account token: it never calls the Kubernetes API", () => {
        expect(podSpec).toContain("\nautomountServiceAccountToken: false\nsecurityContext:\n");
    });

    test("the pod spec sets runAsNonRoot and a RuntimeDefault seccomp profile for the pod", () => {
        expect(podSpec).toContain("securityContext:\n  runAsNonRoot: true\n");
        expect(podSpec).toMatch(/\n {2}seccompProfile:\n {4}type: RuntimeDefault\n/);
    });

    test("its one container drops every capability and cannot escalate privileges", () => {
        const containers = podSpec.slice(
            podSpec.indexOf("\ncontainers:\n"),
            podSpec.indexOf("\nvolumes:\n"),
        );
        expect(containers.match(/^ {2}- name: .+$/gm)).toEqual(["  - name: installer"]);
        expect(containers).toContain(
            '    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop: ["ALL"]\n',
        );
        expect(podSpec).not.toMatch(/initContainers|privileged|hostPath|hostNetwork|hostPID/);
    });

    test("the default pod user is not root, so runAsNonRoot holds for the installer image", () => {
        const values = YAML.parse(fs.readFileSync(path.join(chart, "values.yaml"), "utf8"));
        expect(values.podSecurityContext.runAsUser).toBeGreaterThan(0);
        const schema = JSON.parse(fs.readFileSync(path.join(chart, "values.schema.json"), "utf8"));
        expect(schema.properties.podSecurityContext.properties.runAsUser.minimum).toBe(1);
    });
});

import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import {
    findSentinels,
    generatedCredentials,
    isSecretInput,
    runProgram,
    type Registration,
} from "../../components/testing";
import { allSubjects, EXAMPLE_SUBJECTS, stackSubject, type Subject } from "./subjects";
import { renderedStack } from "../support/evaluations";
import { exampleNames, stackNames } from "../support/names";

/**
 * The only places a credential may be: each a secret input of a resource whose job is to hold it.
 * Anything else (ConfigMaps, Helm values, custom resources, labels, annotations, image references,
 * cloud resources, component outputs) must never carry one.
 */
const ALLOWED: Array<{ type: string; path: RegExp; why: string }> = [
    {
        type: "kubernetes:core/v1:Secret",
        path: /^(data|stringData)(\.|\[)/,
        why: "a Kubernetes Secret's payload is where credentials belong (rule 5)",
    },
    {
        type: "docker:index/image:Image",
        path: /^registry\.password$/,
        why: "docker login needs the push credential; the provider keeps it encrypted in state",
    },
];

interface Scan {
    leaks: string[];
    /** Sentinels found in an allowed place, each checked to be a secret input. */
    held: Set<string>;
    resources: number;
}

function scanRegistrations(registrations: Registration[], sentinels: string[]): Scan {
    const leaks: string[] = [];
    const held = new Set<string>();
    for (const registration of registrations) {
        for (const hit of findSentinels(registration.inputs, sentinels)) {
            const where = `${registration.type} ${registration.name} ${hit.path}${hit.encoded ? " (base64)" : ""}`;
            const allowed = ALLOWED.some(
                (a) => a.type === registration.type && a.path.test(hit.path),
            );
            if (!allowed) {
                leaks.push(`${where}: not a place for credentials`);
            } else if (!isSecretInput(registration, hit.path)) {
                leaks.push(`${where}: holds a credential that is not a secret input`);
            } else {
                held.add(hit.sentinel);
            }
        }
    }
    return { leaks, held, resources: registrations.length };
}

const coverage = { programs: 0, resources: 0, files: 0, sentinels: 0 };
const componentTypes = new Set<string>();

describe("the leak scan", () => {
    test("finds a credential in a ConfigMap, base64 in an annotation, and in an image push password that is not a secret input", async () => {
        const credential = "SENTINEL-scan-self-test-5b1d0c7e";
        const result = await runProgram(() => {
            new k8s.core.v1.ConfigMap("settings", {
                metadata: {
                    name: "settings",
                    annotations: { note: Buffer.from(`user:${credential}`).toString("base64") },
                },
                data: { password: credential },
            });
            new docker.Image("plain", {
                imageName: "registry.example.com/a:1.0.0",
                build: { context: "." },
                registry: { server: "registry.example.com", username: "u", password: credential },
            });
            new k8s.core.v1.Secret("kept", {
                metadata: { name: "kept" },
                stringData: { password: pulumi.secret(credential) },
            });
        });
        const scan = scanRegistrations(result.registrations, [credential]);
        expect(scan.leaks.sort()).toEqual([
            "docker:index/image:Image plain registry.password: holds a credential that is not a secret input",
            "kubernetes:core/v1:ConfigMap settings data.password: not a place for credentials",
            "kubernetes:core/v1:ConfigMap settings metadata.annotations.note (base64): not a place for credentials",
        ]);
        expect([...scan.held]).toEqual([credential]);
    });
});

describe("no credential leaves a Secret", () => {
    const subjects = allSubjects();

    test("every stack and every example is scanned", () => {
        expect(subjects.filter((s) => s.name.startsWith("stack:")).map((s) => s.name)).toEqual(
            stackNames().map((s) => `stack:${s}`),
        );
        expect(stackNames()).toEqual(["dev", "prod", "staging"]);
        expect(EXAMPLE_SUBJECTS.map((s) => s.name)).toEqual(
            exampleNames().map((e) => `example:${e}`),
        );
    });

    test.each(subjects.map((s) => [s.name, s] as const))(
        "%s: sentinels only in secret inputs of Secrets and image pushes, never in plain outputs",
        async (_name, subject: Subject) => {
            const result = await subject.run();
            result.registrations
                .filter((r) => r.type.startsWith("pipeline-platform:"))
                .forEach((r) => componentTypes.add(r.type));
            const generated = generatedCredentials(result.registrations);
            const sentinels = [
                ...subject.sentinels,
                ...(subject.minted ?? []),
                ...generated.flatMap((g) => g.forms),
            ];
            const scan = scanRegistrations(result.registrations, sentinels);
            for (const [key, value] of Object.entries(result.outputs ?? {})) {
                if (!result.secretOutputs.includes(key)) {
                    scan.leaks.push(
                        ...findSentinels(value, sentinels, key).map(
                            (hit) =>
                                `output ${hit.path}: holds a credential but is not a secret output`,
                        ),
                    );
                }
            }
            expect(scan.leaks).toEqual([]);
            // The scan looked in the right places: every credential given (or minted) did reach a Secret.
            expect(subject.sentinels.filter((s) => !scan.held.has(s))).toEqual([]);
            expect(
                generated
                    .filter((g) => !g.forms.some((f) => scan.held.has(f)))
                    .map((g) => g.resource),
            ).toEqual([]);
            coverage.programs += 1;
            coverage.resources += scan.resources;
            coverage.sentinels += subject.sentinels.length + generated.length;
        },
        120000,
    );

    test.each(stackNames())(
        "stack %s: render writes no secure value, in clear or base64, into any file",
        async (stack) => {
            const subject = stackSubject(stack);
            const rendered = await renderedStack(stack);
            const leaks = Object.entries(rendered.files).flatMap(([file, text]) =>
                findSentinels(text, [...subject.sentinels, ...(subject.minted ?? [])]).map(
                    (hit) => `${file}: ${hit.sentinel}${hit.encoded ? " (base64)" : ""}`,
                ),
            );
            expect(leaks).toEqual([]);
            expect(rendered.problems).toEqual([]);
            coverage.files += Object.keys(rendered.files).length;
        },
        120000,
    );

    test("the programs scanned create every component the package exports", () => {
        expect([...componentTypes].sort()).toEqual([
            "pipeline-platform:airflow:AirflowDeployment",
            "pipeline-platform:dags:DagInstallerChart",
            "pipeline-platform:dags:WorkflowExtension",
            "pipeline-platform:identity:WorkloadIdentity",
            "pipeline-platform:images:ProcessingImage",
            "pipeline-platform:ingress:ContourIngress",
            "pipeline-platform:ingress:KoaljaDomainConfig",
            "pipeline-platform:ingress:PipelineIngress",
            "pipeline-platform:monitoring:PlatformMonitoring",
            "pipeline-platform:platform:PipelinePlatform",
            "pipeline-platform:registry:RegistrySecret",
            "pipeline-platform:storage:S3Storage",
            "pipeline-platform:tenancy:ProjectFence",
        ]);
    });

    afterAll(() => {
        // The leak-scan coverage, for the record of a run.
        process.stdout.write(
            `leak scan: ${coverage.programs} programs, ${coverage.resources} resources, ${coverage.sentinels} credentials, ${coverage.files} rendered files\n`,
        );
    });
});

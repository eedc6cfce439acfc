import * as fs from "fs";
import * as path from "path";
import type { PolicyPackConfig } from "@pulumi/policy";
import { evaluatePolicies, policyResources, type Violation } from "../../policy-pack/evaluate";
import { POLICIES } from "../../policy-pack/policies";
import { runProgram } from "../../components/testing";
import { EXAMPLE_SUBJECTS, ROOT, stackSubject, type Subject } from "../guarantees/subjects";
import { exampleNames, stackNames } from "../support/names";
import { SEEDED, seededProgram } from "./programs/seeded";

/** A stack's committed pack config (`stacks/policy.<env>.json`), as the workflows pass it. */
function stackConfig(stack: string): PolicyPackConfig {
    return JSON.parse(fs.readFileSync(path.join(ROOT, `stacks/policy.${stack}.json`), "utf8"));
}

/** `<level> <policy> <resource name>: <message>` of each violation. */
const describe_ = (v: Violation) =>
    `${v.enforcementLevel} ${v.policy} ${v.urn.split("::").pop()}: ${v.message}`;

/** Each program runs once; its recorded resources are checked under each config a test names. */
const runs = new Map<string, ReturnType<Subject["run"]>>();

async function violationsOf(subject: Subject, config: PolicyPackConfig): Promise<Violation[]> {
    if (!runs.has(subject.name)) {
        runs.set(subject.name, subject.run());
    }
    const result = await runs.get(subject.name)!;
    return evaluatePolicies(policyResources(result.registrations), POLICIES, config);
}

describe("the package's own stacks and examples pass the pack", () => {
    test("every stack has a pack config, and only prod requires protect", () => {
        expect(stackNames().map((s) => [s, stackConfig(s)])).toEqual([
            ["dev", { "stateful-resources-protected": "advisory" }],
            ["prod", { "stateful-resources-protected": "mandatory" }],
            ["staging", { "stateful-resources-protected": "advisory" }],
        ]);
    });

    test.each(stackNames())(
        "stack %s: no mandatory violation with its pack config",
        async (stack) => {
            const violations = await violationsOf(stackSubject(stack), stackConfig(stack));
            expect(
                violations.filter((v) => v.enforcementLevel === "mandatory").map(describe_),
            ).toEqual([]);
        },
        180000,
    );

    test("stack prod (protect on): no violation at all, advisory ones included", async () => {
        expect((await violationsOf(stackSubject("prod"), {})).map(describe_)).toEqual([]);
    }, 180000);

    test("stacks without protect: each stateful resource is named by the advisory protect policy, nothing else", async () => {
        const violations = await violationsOf(stackSubject("dev"), stackConfig("dev"));
        expect(
            violations.map((v) => `${v.enforcementLevel} ${v.policy} ${v.urn.split("::").pop()}`),
        ).toEqual([
            "advisory stateful-resources-protected platform-namespace-pipeline-services",
            "advisory stateful-resources-protected platform-namespace-imaging",
            "advisory stateful-resources-protected platform-namespace-analytics",
            "advisory stateful-resources-protected platform-airflow-fernet-key-bytes",
            "advisory stateful-resources-protected platform-airflow-dags",
            "advisory stateful-resources-protected platform-airflow-fernet-key",
        ]);
    }, 180000);

    test("every example is run", () => {
        expect(EXAMPLE_SUBJECTS.map((s) => s.name.replace(/^example:/, ""))).toEqual(
            exampleNames(),
        );
    });

    test.each(EXAMPLE_SUBJECTS.map((s): [string, Subject] => [s.name, s]))(
        "%s: no mandatory violation with the dev stack's pack config",
        async (_name, subject) => {
            const violations = await violationsOf(subject, stackConfig("dev"));
            expect(
                violations.filter((v) => v.enforcementLevel === "mandatory").map(describe_),
            ).toEqual([]);
            expect(
                violations
                    .filter((v) => v.policy !== "stateful-resources-protected")
                    .map(describe_),
            ).toEqual([]);
        },
        180000,
    );
});

describe("a stack seeded with violations", () => {
    const context = () =>
        path.relative(process.cwd(), path.join(ROOT, "test/fixtures/images/context"));

    test("reports each seeded violation once, by the policy it breaks, at its level", async () => {
        const result = await runProgram(() => seededProgram(context()), {
            preview: false,
            project: "team",
            stack: "dev",
        });
        const violations = await evaluatePolicies(policyResources(result.registrations), POLICIES);
        const levels = Object.fromEntries(POLICIES.map((p) => [p.name, p.enforcementLevel]));
        expect(
            violations
                .map((v) => `${v.urn.split("::").pop()} ${v.policy} ${v.enforcementLevel}`)
                .sort(),
        ).toEqual(
            Object.entries(SEEDED)
                .map(([resource, policy]) => `${resource} ${policy} ${levels[policy]}`)
                .sort(),
        );
        // Every policy of the pack has a seeded violation.
        expect([...new Set(Object.values(SEEDED))].sort()).toEqual(
            POLICIES.map((p) => p.name).sort(),
        );
    }, 120000);
});

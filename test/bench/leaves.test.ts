import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { leafClasses, sdkLeaf } from "../../bin/bench-leaves";
import { runProgram } from "../../components/testing";
import { evaluatedStack, lazy } from "../support/evaluations";
import { stackNames } from "../support/names";

/** Every leaf type the committed stacks register, with the inputs of its first registration. */
const stackLeaves = lazy(async () => {
    const leaves = new Map<string, Record<string, unknown>>();
    for (const stack of stackNames()) {
        const { evaluation } = await evaluatedStack(stack);
        for (const r of evaluation.registrations) {
            if (r.custom && !leaves.has(r.type)) {
                leaves.set(r.type, structuredClone(r.inputs));
            }
        }
    }
    return leaves;
});

describe("the bench baselines' leaf resources", () => {
    test("register every leaf type of the stacks through the provider SDK's class for its token", async () => {
        const leaves = await stackLeaves();
        const created: Array<[string, pulumi.CustomResource]> = [];
        const { registrations } = await runProgram(() => {
            for (const [type, inputs] of leaves) {
                const name = type.replace(/[^A-Za-z0-9]+/g, "-");
                created.push([type, sdkLeaf(type)(name, inputs)]);
            }
        });
        expect(registrations.map((r) => r.type).sort()).toEqual([...leaves.keys()].sort());
        for (const [type, resource] of created) {
            const token = (resource.constructor as { __pulumiType?: string }).__pulumiType;
            // A custom resource kind has no class of its own in the SDK.
            const kind = resource instanceof k8s.apiextensions.CustomResource ? type : undefined;
            expect([type, token ?? kind]).toEqual([type, type]);
        }
        expect(created.filter(([, r]) => r instanceof k8s.core.v1.Secret)).toHaveLength(1);
    });

    test("look each class up once per type, and refuse a type no SDK class registers", () => {
        const leaves = leafClasses([
            { type: "kubernetes:core/v1:ConfigMap", custom: true },
            { type: "pipeline-platform:dags:DagInstallerChart", custom: false },
        ]);
        expect(typeof leaves("kubernetes:core/v1:ConfigMap")).toBe("function");
        expect(leaves("pipeline-platform:dags:DagInstallerChart")).toBeUndefined();
        expect(() => sdkLeaf("random:index/nothing:Nothing")).toThrow(
            "no class in @pulumi/random registers random:index/nothing:Nothing",
        );
    });
});

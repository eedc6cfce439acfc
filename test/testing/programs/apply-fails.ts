// Run by engine-process.test.ts in a child process: an apply that throws must fail the run.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { runProgram } from "../../../components/testing";

runProgram(() => {
    const secret = new k8s.core.v1.Secret("s", { metadata: { name: "s" }, stringData: { a: "b" } });
    const checked = secret.metadata.name.apply((name): string => {
        throw new pulumi.InputPropertyError({
            propertyPath: "namespaces[0]",
            reason: `namespaces[0]: got "${name}"; expected a namespace that exists`,
        });
    });
    new k8s.core.v1.ConfigMap("c", { metadata: { name: checked }, data: {} });
}).then(
    () => {
        console.log("run succeeded");
        process.exitCode = 0;
    },
    (err) => {
        console.log(
            `run failed: ${err.message}; registered before failing: ${err.registrations.map((r: { name: string }) => r.name).join(",")}`,
        );
        process.exitCode = 3;
    },
);

// Run by registry-secret-update.test.ts in a child process: `pulumi up` (preview: false) of one
// RegistrySecret whose testPullImage is checked against the real registry named in the environment.
import * as pulumi from "@pulumi/pulumi";
import { RegistrySecret } from "../../../components/registry";
import { runProgram } from "../../../components/testing";

const env = (key: string): string => {
    const value = process.env[key];
    if (!value) {
        throw new Error(`${key} is not set`);
    }
    return value;
};

runProgram(
    () => {
        const secret = new RegistrySecret("e2e", {
            registry: {
                location: "off-cluster",
                url: env("REGISTRY_URL"),
                username: env("REGISTRY_USER"),
                password: pulumi.secret(env("REGISTRY_PASSWORD")),
            },
            scope: "project",
            namespaces: ["team-a"],
            testPullImage: env("TEST_PULL_IMAGE"),
            testPullTimeoutMs: 5000,
        });
        return { testPullDigest: secret.testPullDigest };
    },
    { preview: false },
).then(
    (result) => {
        console.log(
            `run succeeded: digest ${result.outputs.testPullDigest}; secret outputs [${result.secretOutputs.join(",")}]; registered ${result.registrations.map((r) => r.name).join(",")}`,
        );
        process.exitCode = 0;
    },
    (err) => {
        console.log(
            `run failed: ${err.message}; registered before failing: ${err.registrations.map((r: { name: string }) => r.name).join(",")}`,
        );
        process.exitCode = 3;
    },
);

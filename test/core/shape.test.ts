import * as pulumi from "@pulumi/pulumi";
import {
    checkShape,
    componentReporter,
    exampleOf,
    resolveNode,
    shapeDefinition,
    type SchemaNode,
} from "../../components/core";
import { runProgram } from "../../components/testing";

const reporter = componentReporter("RegistrySecret", "r");
const airflowReporter = componentReporter("AirflowDeployment", "a");
const offCluster = {
    location: "off-cluster",
    url: "https://registry.example.com/team",
    username: "robot",
    password: "pw",
};
const base = { registry: offCluster, scope: "project", namespaces: ["team-a"] };

function refusal(value: unknown): string {
    try {
        checkShape("RegistrySecretArgs", value, reporter);
    } catch (err) {
        return (err as Error).message;
    }
    return "accepted";
}

describe("checkShape: the structure of args from the generated schema", () => {
    test.each<[string, unknown, string]>([
        [
            "null args",
            null,
            'RegistrySecret "r": (args): got null; expected an object with registry, scope, namespaces',
        ],
        [
            "an array for args",
            [],
            'RegistrySecret "r": (args): got []; expected an object with registry, scope, namespaces',
        ],
        [
            "a missing required key",
            { ...base, scope: undefined },
            'RegistrySecret "r": scope: got nothing; expected one of "project", "service"',
        ],
        [
            "a number for a string",
            { ...base, namespaces: [7] },
            'RegistrySecret "r": namespaces[0]: got 7; expected a DNS-1123 label',
        ],
        [
            "a string for a list",
            { ...base, namespaces: "team-a" },
            'RegistrySecret "r": namespaces: got "team-a"; expected a list of DNS-1123 label',
        ],
        [
            "a misspelt key",
            { ...base, namespacess: [] },
            'RegistrySecret "r": namespacess: unknown key; did you mean namespaces?',
        ],
        [
            "a key in the wrong case",
            { ...base, SecretName: "x" },
            'RegistrySecret "r": SecretName: unknown key; did you mean secretName?',
        ],
        [
            "a key far from any",
            { ...base, zzzzzzzzzz: 1 },
            'RegistrySecret "r": zzzzzzzzzz: unknown key; known keys: registry, scope, namespaces',
        ],
        [
            "an unknown union tag",
            { ...base, registry: { location: "azure" } },
            'RegistrySecret "r": registry.location: got "azure"; expected one of "off-cluster", "ecr", "gcr", e.g. off-cluster',
        ],
        [
            "a typo inside a union without tag",
            {
                ...base,
                registry: {
                    location: "ecr",
                    region: "eu-west-1",
                    auth: { serviceAcount: { name: "a" } },
                },
            },
            'RegistrySecret "r": registry.auth.serviceAcount: unknown key; did you mean serviceAccount?',
        ],
        [
            "a reserved map key",
            {
                ...base,
                registry: { location: "ecr", region: "eu-west-1" },
                namespaceSelector: JSON.parse('{"__proto__": "x"}'),
            },
            'RegistrySecret "r": namespaceSelector.__proto__: got "__proto__"; expected a key other than __proto__, constructor and prototype',
        ],
        [
            "a prototype smuggled by an object literal",
            {
                ...base,
                registry: { location: "ecr", region: "eu-west-1" },
                namespaceSelector: { __proto__: { team: "a" } },
            },
            'RegistrySecret "r": namespaceSelector: got {}; expected a map of names to label value',
        ],
        [
            "a class instance for an object",
            { ...base, registry: new Date(0) },
            'RegistrySecret "r": registry: got "1970-01-01T00:00:00.000Z"; expected an object whose location is one of',
        ],
        [
            "a format failure with a suggestion",
            { ...base, namespaces: ["Team_A"] },
            'RegistrySecret "r": namespaces[0]: got "Team_A"; expected a DNS-1123 label: must consist of lower case alphanumeric characters or \'-\', and start and end with an alphanumeric character, e.g. team-a',
        ],
        [
            "NaN for a number",
            { ...base, testPullTimeoutMs: NaN },
            'RegistrySecret "r": testPullTimeoutMs: got null; expected a whole number from 1000 to 120000, e.g. 10000',
        ],
        [
            "a fraction for a whole number",
            { ...base, testPullTimeoutMs: 1500.5 },
            'RegistrySecret "r": testPullTimeoutMs: got 1500.5; expected a whole number from 1000 to 120000',
        ],
        [
            "a newline in a plain string",
            { ...base, secretName: "a\nb" },
            'RegistrySecret "r": secretName: got "a\\nb"; expected a DNS-1123 subdomain',
        ],
        [
            "a secret shown redacted",
            { ...base, registry: { ...offCluster, password: 42 } },
            'RegistrySecret "r": registry.password: got <redacted>; expected a string',
        ],
        [
            "a duplicate list entry",
            { ...base, namespaces: ["a", "b", "a"] },
            'RegistrySecret "r": namespaces[2]: got "a"; expected each entry once (also at namespaces[0])',
        ],
        [
            "an Output where none is taken",
            { ...base, secretName: pulumi.output("x") },
            'RegistrySecret "r": secretName: got an Output; expected a value known at preview (this argument takes no Output)',
        ],
        [
            "a sparse list",
            { ...base, namespaces: Object.assign(new Array(2), { 1: "a" }) },
            'RegistrySecret "r": namespaces[0]: got nothing; expected a DNS-1123 label',
        ],
    ])("refuses %s", (_title, value, message) => {
        expect(refusal(value)).toContain(message);
    });

    test("returns a plain copy, optional keys given as undefined dropped", () => {
        const given = { ...base, secretName: undefined, namespaces: ["team-a"] };
        const checked = checkShape<Record<string, unknown>>("RegistrySecretArgs", given, reporter);
        expect(checked).toEqual({ registry: offCluster, scope: "project", namespaces: ["team-a"] });
        expect(checked).not.toBe(given);
        expect(checked.namespaces).not.toBe(given.namespaces);
        expect(Object.keys(checked)).toEqual(["registry", "scope", "namespaces"]);
    });

    test("passes a good Output value through, secret stays secret", async () => {
        const result = await runProgram(() => {
            const checked = checkShape<{ registry: { password: pulumi.Output<string> } }>(
                "RegistrySecretArgs",
                { ...base, registry: { ...offCluster, password: pulumi.secret("pw") } },
                reporter,
            );
            return { password: checked.registry.password };
        });
        expect(result.outputs.password).toBe("pw");
        expect(result.secretOutputs).toEqual(["password"]);
    });

    // A bad value fails the run inside the first check's apply, naming the first component; apply-time
    // failures are observed from a child process (test/bad-input/apply-time.test.ts).
    test("checks an Output handed to many components at one position once", async () => {
        const other = componentReporter("RegistrySecret", "other");
        const result = await runProgram(() => {
            const password = pulumi.secret("pw");
            const given = { ...base, registry: { ...offCluster, password } };
            type Checked = { registry: { password: pulumi.Output<string> } };
            const first = checkShape<Checked>("RegistrySecretArgs", given, reporter);
            const second = checkShape<Checked>("RegistrySecretArgs", given, other);
            const elsewhere = checkShape<Checked>(
                "RegistrySecretArgs",
                given,
                reporter,
                "registry",
            );
            return {
                same: first.registry.password === second.registry.password,
                otherPath: first.registry.password !== elsewhere.registry.password,
                password: second.registry.password,
            };
        });
        expect(result.outputs).toEqual({ same: true, otherPath: true, password: "pw" });
        expect(result.secretOutputs).toEqual(["password"]);
    });

    test("takes Outputs at any depth of an unconstrained position (chart values)", async () => {
        const result = await runProgram(() => {
            const checked = checkShape<{ values: Record<string, unknown> }>(
                "AirflowDeploymentArgs",
                {
                    namespace: "airflow",
                    database: { bundled: true },
                    projectNamespaces: [],
                    values: {
                        workers: pulumi.output({ replicas: 2 }),
                        scheduler: { replicas: pulumi.output(1) },
                    },
                },
                airflowReporter,
            );
            return { values: checked.values };
        });
        expect(result.outputs.values).toEqual({
            workers: { replicas: 2 },
            scheduler: { replicas: 1 },
        });
    });
});

/** Every node of a definition, with its path, to check properties of the whole schema. */
function* nodes(
    node: SchemaNode,
    path: string,
    seen = new Set<string>(),
): Generator<[string, SchemaNode]> {
    yield [path, node];
    if (node.$ref !== undefined) {
        if (seen.has(node.$ref)) {
            return;
        }
        seen = new Set([...seen, node.$ref]);
    }
    const resolved = resolveNode(node);
    for (const [key, child] of Object.entries(resolved.properties ?? {})) {
        yield* nodes(child, `${path}.${key}`, seen);
    }
    if (resolved.items !== undefined) {
        yield* nodes(resolved.items, `${path}[]`, seen);
    }
    if (typeof resolved.additionalProperties === "object") {
        yield* nodes(resolved.additionalProperties, `${path}{}`, seen);
    }
    for (const [i, branch] of (resolved.anyOf ?? []).entries()) {
        yield* nodes(branch, `${path}|${i}`, seen);
    }
}

describe("the generated schema", () => {
    test("every example a TSDoc @example gives is itself a valid value of its position", () => {
        const failures: string[] = [];
        for (const definition of [
            "RegistrySecretArgs",
            "ProcessingImageArgs",
            "ContourIngressArgs",
            "PipelineIngressArgs",
            "KoaljaDomainConfigArgs",
            "S3StorageArgs",
            "AirflowDeploymentArgs",
            "DagInstallerChartArgs",
            "WorkflowExtensionArgs",
        ]) {
            for (const [path, node] of nodes(shapeDefinition(definition), definition)) {
                const resolved = resolveNode(node);
                for (const example of resolved.examples ?? []) {
                    if (resolved.secret || resolved["x-resource"] !== undefined) {
                        continue;
                    }
                    const problem = exampleProblem(resolved, example);
                    if (problem !== undefined) {
                        failures.push(`${path}: ${JSON.stringify(example)}: ${problem}`);
                    }
                }
            }
        }
        expect(failures).toEqual([]);
    });

    test("builds an example for every position from its tags", () => {
        expect(exampleOf(shapeDefinition("RegistrySecretArgs"))).toEqual({
            registry:
                offCluster.location === "off-cluster"
                    ? expect.objectContaining({ location: "off-cluster" })
                    : undefined,
            scope: "project",
            namespaces: ["pipelines-team-a"],
        });
    });
});

function exampleProblem(node: SchemaNode, example: unknown): string | undefined {
    try {
        checkShape(node, example, reporter);
        return undefined;
    } catch (err) {
        return (err as Error).message;
    }
}

import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as debuggable from "@pulumi/pulumi/runtime/debuggable";
import {
    assertValidManifests,
    isSecretInput,
    ProgramError,
    kubernetesManifests,
    runProgram,
    validateRegistrations,
} from "../../components/testing";

class Box extends pulumi.ComponentResource {
    readonly secretName: pulumi.Output<string>;
    constructor(name: string, args: { fail?: string }, opts?: pulumi.ComponentResourceOptions) {
        super("test:index:Box", name, {}, opts);
        const secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: {
                    name: "box",
                    namespace: "ns",
                    labels: {
                        "app.kubernetes.io/managed-by": "pulumi",
                        "app.kubernetes.io/part-of": "pipeline-platform",
                        "app.kubernetes.io/component": "registry",
                    },
                },
                type: "Opaque",
                stringData: { password: pulumi.secret("hunter2") },
            },
            { parent: this },
        );
        this.secretName = secret.metadata.name.apply((n) => {
            if (args.fail) {
                throw new Error(args.fail);
            }
            return n;
        });
        this.registerOutputs({ secretName: this.secretName });
    }
}

describe("runProgram", () => {
    test("records components and children with parents, resolves outputs and marks secrets", async () => {
        const result = await runProgram(() => {
            const box = new Box("b", {});
            return { secretName: box.secretName, token: pulumi.secret("t") };
        });
        const types = result.registrations.map((r) => [r.type, r.name]);
        expect(types).toEqual([
            ["test:index:Box", "b"],
            ["kubernetes:core/v1:Secret", "b-secret"],
        ]);
        const [box, secret] = result.registrations;
        expect(secret.parent).toBe(box.urn);
        expect(secret.inputs.stringData).toEqual({ password: "hunter2" });
        expect(isSecretInput(secret, "stringData.password")).toBe(true);
        expect(isSecretInput(secret, "metadata.name")).toBe(false);
        expect(result.outputs).toEqual({ secretName: "box", token: "t" });
        expect(result.secretOutputs).toEqual(["token"]);
        await assertValidManifests(result.registrations);
    });

    test("fails on an invoke without a mock", async () => {
        await expect(
            runProgram(() => pulumi.runtime.invoke("aws:index/getRegion:getRegion", {})),
        ).rejects.toThrow(/no mock for invoke aws:index\/getRegion:getRegion/);
    });

    test("uses the invoke mock it is given", async () => {
        const result = await runProgram(
            () => ({
                region: pulumi
                    .output(pulumi.runtime.invoke("aws:index/getRegion:getRegion", {}))
                    .apply((r) => r.name),
            }),
            {
                invokes: { "aws:index/getRegion:getRegion": () => ({ name: "eu-west-1" }) },
            },
        );
        expect(result.outputs.region).toBe("eu-west-1");
        expect(result.invocations).toEqual([
            { token: "aws:index/getRegion:getRegion", inputs: {} },
        ]);
    });

    test("reports preview or update mode to the program", async () => {
        const preview = await runProgram(() => ({ dry: pulumi.runtime.isDryRun() }));
        const update = await runProgram(() => ({ dry: pulumi.runtime.isDryRun() }), {
            preview: false,
        });
        expect([preview.outputs.dry, update.outputs.dry]).toEqual([true, false]);
    });
});

describe("stack traces while a program runs", () => {
    const frames = (stack: string | undefined) =>
        (stack ?? "").split("\n").filter((line) => line.startsWith("    at ")).length;
    const deepStack = (depth: number): string | undefined =>
        depth === 0 ? new Error("deep").stack : deepStack(depth - 1);
    // A loader that deepens stack traces, as jest does (the test setup puts Node's 10 back).
    let limit: number;
    beforeEach(() => {
        limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 100;
    });
    afterEach(() => {
        Error.stackTraceLimit = limit;
    });

    test("are V8's own at Node's depth of 10 frames, and the loader's formatting is back afterwards", async () => {
        const before = { prepare: Error.prepareStackTrace, limit: Error.stackTraceLimit };
        const result = await runProgram(() => ({ stack: deepStack(30) }));
        expect(frames(result.outputs.stack)).toBe(10);
        expect(result.outputs.stack).toMatch(/^Error: deep\n {4}at deepStack \(/);
        expect(Error.prepareStackTrace).toBe(before.prepare);
        expect(Error.stackTraceLimit).toBe(before.limit);
        expect(frames(deepStack(30))).toBeGreaterThan(30);
    });

    // The SDK's wrapper of every promise it creates; its typings leave it out (@internal). The SDK
    // looks it up on the module at every call, as these tests do.
    const sdkPromises = debuggable as unknown as {
        debuggablePromise(promise: Promise<unknown>, context: string): Promise<unknown>;
    };

    test("leave the SDK's per-promise trace untaken, unless PULUMI_DEBUG_PROMISE_LEAKS asks for it", async () => {
        const traced = sdkPromises.debuggablePromise;
        const traceOf = async () =>
            (
                await runProgram(() => {
                    const promise = Promise.resolve("x");
                    sdkPromises.debuggablePromise(promise, "test");
                    return {
                        trace: (promise as unknown as { _debugStackTrace: string })
                            ._debugStackTrace,
                    };
                })
            ).outputs.trace;
        expect(await traceOf()).toBe("Error");
        expect(sdkPromises.debuggablePromise).toBe(traced);
        process.env.PULUMI_DEBUG_PROMISE_LEAKS = "1";
        try {
            expect(await traceOf()).toMatch(/^Error\n {4}at \S*debuggablePromise \(/);
        } finally {
            delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
        }
        await expect(
            runProgram(() => {
                throw new Error("the program fails");
            }),
        ).rejects.toThrow("the program fails");
        expect(sdkPromises.debuggablePromise).toBe(traced);
    });

    test("are back as they were when overlapping runs end in any order", async () => {
        const before = {
            prepare: Error.prepareStackTrace,
            limit: Error.stackTraceLimit,
            traced: sdkPromises.debuggablePromise,
        };
        let release: () => void = () => undefined;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const first = runProgram(async () => {
            await gate;
            return {};
        });
        const second = runProgram(() => ({}));
        // The second run ends while the first still runs; the first ends last.
        await second;
        expect(Error.stackTraceLimit).toBe(10);
        release();
        await first;
        expect(Error.prepareStackTrace).toBe(before.prepare);
        expect(Error.stackTraceLimit).toBe(before.limit);
        expect(sdkPromises.debuggablePromise).toBe(before.traced);
    });

    test("get their formatting back after a failed run too", async () => {
        const before = { prepare: Error.prepareStackTrace, limit: Error.stackTraceLimit };
        await expect(
            runProgram(() => {
                throw new Error("the program fails");
            }),
        ).rejects.toThrow("the program fails");
        expect(Error.prepareStackTrace).toBe(before.prepare);
        expect(Error.stackTraceLimit).toBe(before.limit);
    });

    test("keep the loader's formatting and depth with PIPELINE_PLATFORM_MAPPED_STACKS=1", async () => {
        process.env.PIPELINE_PLATFORM_MAPPED_STACKS = "1";
        try {
            const result = await runProgram(() => ({ stack: deepStack(30) }));
            expect(frames(result.outputs.stack)).toBeGreaterThan(30);
        } finally {
            delete process.env.PIPELINE_PLATFORM_MAPPED_STACKS;
        }
    });
});

describe("a failed run", () => {
    test("ends once the engine is quiet, keeping what was in flight, although an Output never settles", async () => {
        const started = Date.now();
        const failure = runProgram(() => {
            const never = new Promise<string>(() => undefined);
            new k8s.core.v1.ConfigMap("stuck", { metadata: { name: pulumi.output(never) } });
            const late = new Promise<string>((resolve) => setTimeout(() => resolve("late"), 20));
            new k8s.core.v1.ConfigMap("late", { metadata: { name: pulumi.output(late) } });
            throw new Error("the program fails");
        });
        const err = await failure.catch((e: unknown) => e);
        // The old fixed wait was 2 s; a quiet engine is seen after a few 50 ms windows.
        expect(Date.now() - started).toBeLessThan(1500);
        expect(err).toBeInstanceOf(ProgramError);
        expect((err as ProgramError).registrations.map((r) => r.name)).toEqual(["late"]);
        const next = await runProgram(() => undefined);
        expect(next.registrations).toEqual([]);
    });
});

describe("manifest validation", () => {
    const secret = (extra: Record<string, unknown>) => async () => {
        const result = await runProgram(() => {
            new k8s.core.v1.Secret("s", {
                metadata: {
                    name: "s",
                    labels: {
                        "app.kubernetes.io/managed-by": "pulumi",
                        "app.kubernetes.io/part-of": "pipeline-platform",
                        "app.kubernetes.io/component": "registry",
                    },
                },
                ...extra,
            });
        });
        return (await validateRegistrations(result.registrations)).map(
            (p) => `${p.path}: ${p.message}`,
        );
    };

    test.each([
        [
            "a dockerconfigjson Secret without the key",
            { type: "kubernetes.io/dockerconfigjson", stringData: { other: "x" } },
            /must hold the key ".dockerconfigjson"/,
        ],
        [
            "a dockerconfigjson Secret whose JSON has no auths",
            { type: "kubernetes.io/dockerconfigjson", stringData: { ".dockerconfigjson": "{}" } },
            /"auths" object/,
        ],
        [
            "a dockerconfigjson Secret that is not JSON",
            { type: "kubernetes.io/dockerconfigjson", stringData: { ".dockerconfigjson": "nope" } },
            /valid JSON/,
        ],
        [
            "data that is not base64",
            { type: "Opaque", data: { a: "not base64!" } },
            /must be base64/,
        ],
        ["a data key with a slash", { type: "Opaque", stringData: { "a/b": "x" } }, /key "a\/b"/],
        ["a schema type error", { type: 5 }, /\/type: must be string/],
    ])("rejects %s", async (_name, extra, expected) => {
        expect((await secret(extra)()).join("\n")).toMatch(expected);
    });

    test("accepts a well-formed dockerconfigjson Secret", async () => {
        expect(
            await secret({
                type: "kubernetes.io/dockerconfigjson",
                stringData: { ".dockerconfigjson": JSON.stringify({ auths: {} }) },
            })(),
        ).toEqual([]);
    });

    test.each([
        [
            "an upper-case name",
            { metadata: { name: "Bad" } },
            /\/metadata\/name: "Bad" must consist of lower case/,
        ],
        [
            "a bad label value",
            { metadata: { name: "ok", labels: { app: "has space" } } },
            /label value "has space"/,
        ],
        [
            "a bad label key",
            { metadata: { name: "ok", labels: { "-bad": "x" } } },
            /label key "-bad"/,
        ],
        [
            "a quantity with a space",
            {
                metadata: { name: "ok" },
                spec: {
                    containers: [
                        {
                            name: "c",
                            image: "r.example.com/i:1",
                            resources: { requests: { memory: "1 Gi" } },
                        },
                    ],
                },
            },
            /quantity "1 Gi"/,
        ],
        [
            "a negative quantity",
            {
                metadata: { name: "ok" },
                spec: {
                    containers: [
                        {
                            name: "c",
                            image: "r.example.com/i:1",
                            resources: { limits: { cpu: "-1" } },
                        },
                    ],
                },
            },
            /must not be negative/,
        ],
        [
            "missing standard labels",
            {
                metadata: { name: "ok" },
                spec: { containers: [{ name: "c", image: "r.example.com/i:1" }] },
            },
            /app.kubernetes.io\/managed-by/,
        ],
    ])("rejects a Pod with %s", async (_name, args, expected) => {
        const result = await runProgram(() => {
            new k8s.core.v1.Pod("p", args as k8s.core.v1.PodArgs);
        });
        const problems = await validateRegistrations(result.registrations);
        expect(problems.map((p) => `${p.path}: ${p.message}`).join("\n")).toMatch(expected);
    });

    const labels = {
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/part-of": "pipeline-platform",
        "app.kubernetes.io/component": "tenancy",
    };
    const problemsOf = async (declare: () => void) =>
        (await validateRegistrations((await runProgram(declare)).registrations)).map(
            (p) => `${p.path}: ${p.message}`,
        );
    const policy = (spec: Record<string, unknown>) => () => {
        new k8s.networking.v1.NetworkPolicy("np", {
            metadata: { name: "np", namespace: "imaging", labels },
            spec: { podSelector: {}, ...spec } as k8s.types.input.networking.v1.NetworkPolicySpec,
        });
    };

    test.each([
        [
            "a CIDR with host bits set",
            { policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "10.1.2.3/8" } }] }] },
            [
                '/spec/egress/0/to/0/ipBlock/cidr: "10.1.2.3/8" must be written canonically (no host bits set, lower case): 10.0.0.0/8',
            ],
        ],
        [
            "an exception outside its CIDR",
            {
                policyTypes: ["Egress"],
                egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["192.168.0.0/16"] } }] }],
            },
            [
                '/spec/egress/0/to/0/ipBlock/except/0: "192.168.0.0/16" must be strictly within 10.0.0.0/8',
            ],
        ],
        [
            "an ipBlock together with a selector",
            {
                policyTypes: ["Ingress"],
                ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8" }, podSelector: {} }] }],
            },
            [
                "/spec/ingress/0/from/0/ipBlock: may not be combined with a namespace or pod selector",
            ],
        ],
        [
            "a port out of range",
            { policyTypes: ["Ingress"], ingress: [{ ports: [{ port: 70000, protocol: "TCP" }] }] },
            ["/spec/ingress/0/ports/0/port: must be 1 to 65535"],
        ],
    ])("rejects a NetworkPolicy with %s", async (_name, spec, expected) => {
        expect(await problemsOf(policy(spec))).toEqual(expected);
    });

    test("accepts a NetworkPolicy with canonical blocks, exceptions inside them and selectors", async () => {
        expect(
            await problemsOf(
                policy({
                    policyTypes: ["Ingress", "Egress"],
                    ingress: [
                        {
                            from: [{ namespaceSelector: { matchLabels: { a: "b" } } }],
                            ports: [{ port: 8080, protocol: "TCP" }],
                        },
                    ],
                    egress: [
                        {
                            to: [
                                {
                                    ipBlock: {
                                        cidr: "0.0.0.0/0",
                                        except: ["169.254.169.254/32"],
                                    },
                                },
                                { ipBlock: { cidr: "fd00::/8" } },
                            ],
                        },
                    ],
                }),
            ),
        ).toEqual([]);
    });

    test.each([
        [
            "a default request above the default limit",
            { defaultRequest: { memory: "2Gi" }, default: { memory: "1Gi" } },
            [
                "/spec/limits/0/defaultRequest/memory: defaultRequest 2Gi must be less than or equal to default 1Gi",
            ],
        ],
        [
            // A missing default limit is the max, so the default request must stay below the max too.
            "a default request above the max",
            { defaultRequest: { cpu: "2" }, max: { cpu: "1" } },
            [
                "/spec/limits/0/defaultRequest/cpu: defaultRequest 2 must be less than or equal to default 1",
            ],
        ],
        [
            "a default limit above the max",
            { default: { memory: "8Gi" }, max: { memory: "4Gi" } },
            ["/spec/limits/0/default/memory: default 8Gi must be less than or equal to max 4Gi"],
        ],
        [
            "a negative bound",
            { max: { cpu: "-1" } },
            ['/spec/limits/0/max/cpu: quantity "-1" must not be negative'],
        ],
    ])("rejects a LimitRange with %s", async (_name, bounds, expected) => {
        expect(
            await problemsOf(() => {
                new k8s.core.v1.LimitRange("lr", {
                    metadata: { name: "lr", namespace: "imaging", labels },
                    spec: { limits: [{ type: "Container", ...bounds }] },
                });
            }),
        ).toEqual(expected);
    });

    test("rejects a ResourceQuota with a negative quantity and a bad resource name", async () => {
        expect(
            await problemsOf(() => {
                new k8s.core.v1.ResourceQuota("rq", {
                    metadata: { name: "rq", namespace: "imaging", labels },
                    spec: { hard: { "requests.cpu": "-10", "-pods": "5" } },
                });
            }),
        ).toEqual([
            "/spec/hard: resource name \"-pods\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            '/spec/hard/requests.cpu: quantity "-10" must not be negative',
        ]);
    });

    test("validates custom resources against their CRD schema", async () => {
        const result = await runProgram(() => {
            new k8s.apiextensions.CustomResource("proxy", {
                apiVersion: "projectcontour.io/v1",
                kind: "HTTPProxy",
                metadata: {
                    name: "p",
                    labels: {
                        "app.kubernetes.io/managed-by": "pulumi",
                        "app.kubernetes.io/part-of": "pipeline-platform",
                        "app.kubernetes.io/component": "ingress",
                    },
                },
                spec: { virtualhost: { fqdn: 42 } },
            });
        });
        expect(kubernetesManifests(result.registrations)[0].manifest.kind).toBe("HTTPProxy");
        const problems = await validateRegistrations(result.registrations);
        expect(problems.map((p) => `${p.path}: ${p.message}`)).toContain(
            "/spec/virtualhost/fqdn: must be string",
        );
    });
});

import * as pulumi from "@pulumi/pulumi";
import * as runtimeSettings from "@pulumi/pulumi/runtime/settings";
import { defaultState } from "./default-state";

/** The marker Pulumi's RPC layer puts around a secret value (`4dabf1…` = sig key, `1b4706…` = secret). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Node's default `Error.stackTraceLimit`, which jest raises to 100. */
const NODE_STACK_TRACE_LIMIT = 10;

/** How long a failed run waits at most for registrations still in flight. */
const FAILED_RUN_DRAIN_MS = 2000;

/** How long a failed run's engine must see no call before what is still in flight counts as stuck. */
const QUIET_MS = 50;

/**
 * Resource inputs as the engine resolved them: Pulumi's own untyped property bag (what
 * `deserializeProperties` returns), kept navigable (`inputs.metadata.name`) for the tests, ours and
 * users', that read them like the YAML they become.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Pulumi's property bags are untyped; narrowing every read would make each test assertion a type guard.
export type ResourceInputs = Record<string, any>;

/** One resource registration as the engine saw it. */
export interface Registration {
    /** Type token, e.g. `kubernetes:core/v1:Secret` or `pipeline-platform:registry:RegistrySecret`. */
    type: string;
    name: string;
    urn: string;
    /** URN of the parent resource; undefined only for the stack itself. */
    parent?: string;
    /** True for custom (provider) resources, false for components. */
    custom: boolean;
    /** Inputs with secrets unwrapped to their plain values. */
    inputs: ResourceInputs;
    /** Property paths (`stringData[".dockerconfigjson"]`) whose input value was a secret. */
    secretPaths: string[];
    /** URNs this resource depends on (explicit `dependsOn` plus input dependencies). */
    dependencies: string[];
    /** Provider reference, when one was given. */
    provider?: string;
    /** The `retainOnDelete` option. */
    retainOnDelete: boolean;
    /** The `protect` option, as set or inherited from the parent. */
    protect: boolean;
    /** The `replaceOnChanges` option: input paths whose change replaces the resource. */
    replaceOnChanges: string[];
    /** The `deleteBeforeReplace` option. */
    deleteBeforeReplace: boolean;
    /** The `aliases` option: earlier identities of the resource (see `aliasUrns`). */
    aliases: RecordedAlias[];
}

/**
 * One alias as the SDK hands it to the engine: a whole URN, or the parts that differ from the
 * resource's own (name, type, parent URN, or no parent); the engine fills in the rest.
 */
export type RecordedAlias =
    { urn: string } | { name?: string; type?: string; parentUrn?: string; noParent?: boolean };

/** One invoke (data-source call) as the engine saw it. */
export interface Invocation {
    token: string;
    inputs: Record<string, unknown>;
}

/** A mocked invoke: returns the data source's result for the given inputs. */
export type InvokeMock = (
    inputs: Record<string, unknown>,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

/** Computes the state (outputs) a provider would report for a new custom resource. */
export type StateMock = (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown>;

export interface EngineOptions {
    project?: string;
    stack?: string;
    /** Preview (`pulumi preview`) when true, update (`pulumi up`) when false. Default true. */
    preview?: boolean;
    /** Stack configuration, keys fully qualified (`pipeline-platform:registries`). */
    config?: Record<string, string>;
    /** Config keys whose values are secrets. */
    secretConfigKeys?: string[];
    /** Mocks for invokes, by token. Any invoke without one fails the run. */
    invokes?: Record<string, InvokeMock>;
    /** State overrides by type token, applied on top of the defaults. */
    states?: Record<string, StateMock>;
}

export interface EngineResult<T> {
    registrations: Registration[];
    invocations: Invocation[];
    /** What the program returned, with every Output resolved. */
    outputs: T;
    /** The program's returned values that were secret Outputs, by top-level key. */
    secretOutputs: string[];
}

/** Thrown when a program fails under the engine; carries what was registered before the failure. */
export class ProgramError extends Error {
    constructor(
        readonly cause: unknown,
        readonly registrations: Registration[],
    ) {
        super(cause instanceof Error ? cause.message : String(cause));
        this.name = "ProgramError";
    }
}

type Unwrapped<T> =
    T extends pulumi.Output<infer U>
        ? Unwrapped<U>
        : T extends object
          ? { [K in keyof T]: Unwrapped<T[K]> }
          : T;

/**
 * Runs a Pulumi program under runtime mocks and returns every registration with resolved inputs.
 * An invoke without a mock, an exception in the program, or an error inside an `apply` fails the
 * run with a {@link ProgramError}, as it would fail `pulumi up`.
 */
export async function runProgram<T>(
    program: () => T | Promise<T>,
    options: EngineOptions = {},
): Promise<EngineResult<Unwrapped<T>>> {
    const registrations: Registration[] = [];
    const invocations: Invocation[] = [];
    // Errors from invoke mocks and from applies reach Pulumi as rejections whose messages it drops;
    // the first one fails the run at once: resources waiting on a failed Output never settle.
    const asyncErrors: unknown[] = [];
    let failRun: (reason: unknown) => void = () => undefined;
    const failed = new Promise<never>((_resolve, reject) => {
        failRun = reject;
    });
    failed.catch(() => undefined);
    const onAsyncError = (reason: unknown) => {
        asyncErrors.push(reason);
        failRun(reason);
    };
    const invokes = options.invokes ?? {};
    const states = options.states ?? {};

    // Every call reaching the mocks, to tell when a failed run has gone quiet.
    let engineCalls = 0;
    const mocks: pulumi.runtime.Mocks = {
        newResource(args) {
            engineCalls++;
            const state = { ...defaultState(args), ...(states[args.type]?.(args) ?? {}) };
            return { id: args.custom ? `${args.name}-id` : undefined, state };
        },
        call(args) {
            engineCalls++;
            const mock = invokes[args.token];
            invocations.push({
                token: args.token,
                inputs: unwrapSecrets(args.inputs) as Record<string, unknown>,
            });
            if (!mock) {
                const error = new Error(
                    `no mock for invoke ${args.token}: the engine fails on any invoke it was not told about`,
                );
                onAsyncError(error);
                throw error;
            }
            return mock(unwrapSecrets(args.inputs) as Record<string, unknown>);
        },
    };
    pulumi.runtime.setAllConfig(options.config ?? {}, options.secretConfigKeys ?? []);
    await pulumi.runtime.setMocks(
        mocks,
        options.project ?? "pipeline-platform",
        options.stack ?? "test",
        options.preview ?? true,
    );
    recordRegistrations(registrations);

    // Outside jest this sees every rejection Pulumi leaves unhandled (an apply that threw); jest keeps
    // such rejections for itself, so tests of apply-time failures run the engine in a child process.
    process.on("unhandledRejection", onAsyncError);
    const endRun = whileProgramsRun();
    const run = (async () => {
        const returned = await program();
        const resolved = await resolveDeep(returned);
        await settle();
        return {
            registrations,
            invocations,
            outputs: resolved.value as Unwrapped<T>,
            secretOutputs: resolved.secretKeys,
        };
    })();
    run.catch(() => undefined);
    try {
        const result = await Promise.race([run, failed]);
        if (asyncErrors.length > 0) {
            throw asyncErrors[0];
        }
        return result;
    } catch (err) {
        // Let registrations already in flight finish, so they do not reach the next run's mocks:
        // until no call has reached the mocks for a while, since those waiting on the failed Output
        // never finish, and at most FAILED_RUN_DRAIN_MS.
        await Promise.race([settle().catch(() => undefined), quiet(() => engineCalls)]);
        throw new ProgramError(asyncErrors[0] ?? err, registrations);
    } finally {
        endRun();
        process.off("unhandledRejection", onAsyncError);
    }
}

/**
 * Under a loader that maps stack traces back to TypeScript (tsx, jest), mapping the frames of the
 * errors a program creates costs more than the program; jest also deepens every stack trace to 100
 * frames. While a program runs, stack traces are what plain Node gives: V8's formatting, positions
 * in the transpiled JavaScript, Node's default depth of 10 frames. `PIPELINE_PLATFORM_MAPPED_STACKS=1`
 * keeps the loader's. Returns what puts the realm's formatting back.
 */
function unmappedStacks(): () => void {
    if (process.env.PIPELINE_PLATFORM_MAPPED_STACKS === "1") {
        return () => undefined;
    }
    const prepare = Error.prepareStackTrace;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = NODE_STACK_TRACE_LIMIT;
    // A formatter set on this realm's Error wins over Node's source maps and over one installed
    // on the main realm's Error (jest's, for code in a test's context).
    Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) =>
        `${Error.prototype.toString.call(error)}${frames.map((frame) => `\n    at ${frame}`).join("")}`;
    return () => {
        Error.prepareStackTrace = prepare;
        Error.stackTraceLimit = limit;
    };
}

/**
 * The SDK module that wraps every promise it creates: its exports object itself (an `import *`
 * may be a copy with read-only properties), typed by hand since its typings leave the wrapper out
 * (@internal).
 */
const sdkPromises: {
    debuggablePromise(promise: Promise<unknown>, context: unknown): Promise<unknown>;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object, not a copy
} = require("@pulumi/pulumi/runtime/debuggable");

/**
 * Pulumi's SDK takes a stack trace for every promise it creates (`debuggablePromise`, tens of
 * thousands per evaluation) and reads it only in its report of leaked promises with
 * `PULUMI_DEBUG_PROMISE_LEAKS` set. Taking them is a quarter of a large evaluation's time, growing
 * with the depth of the component tree; while a program runs without that variable, the SDK's
 * wrapper takes none (its trace reads `Error`) and keeps everything else it does. The SDK looks the
 * wrapper up on its module at every call. Returns what puts the SDK's own back.
 */
function untracedPromises(): () => void {
    if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) {
        return () => undefined;
    }
    const traced = sdkPromises.debuggablePromise;
    sdkPromises.debuggablePromise = (promise, context) => {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            return traced(promise, context);
        } finally {
            Error.stackTraceLimit = limit;
        }
    };
    return () => {
        sdkPromises.debuggablePromise = traced;
    };
}

/**
 * The changes to the realm that hold while at least one program runs (Node's stack traces, no
 * per-promise traces): the first run to start makes them, the last to end undoes them, so runs that
 * overlap and end in any order leave the realm as it was. Returns what a run calls at its end.
 */
const whileProgramsRun = (() => {
    let running = 0;
    let undo: () => void = () => undefined;
    return (): (() => void) => {
        if (running++ === 0) {
            const undoStacks = unmappedStacks();
            const undoPromises = untracedPromises();
            undo = () => {
                undoPromises();
                undoStacks();
            };
        }
        let ended = false;
        return () => {
            if (!ended) {
                ended = true;
                if (--running === 0) {
                    undo();
                }
            }
        };
    };
})();

/** The getters of Pulumi's RegisterResourceRequest (a generated protobuf class) the recorder reads. */
interface RegisterResourceRequest {
    getObject(): Parameters<typeof pulumi.runtime.deserializeProperties>[0] & {
        toJavaScript(): unknown;
    };
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getDependenciesList(): string[];
    getProvider(): string;
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getReplaceonchangesList(): string[];
    getDeletebeforereplace(): boolean | undefined;
    getAliasesList(): AliasMessage[];
}

/** The getters of Pulumi's Alias message. */
interface AliasMessage {
    getUrn(): string;
    getSpec():
        | {
              getName(): string;
              getType(): string;
              getParenturn(): string;
              getNoparent(): boolean;
          }
        | undefined;
}

type RegisterResourceCallback = (err: unknown, resp: { getUrn(): string }) => void;

/** The one method of Pulumi's MockMonitor (typed only as the RPC client interface) the recorder wraps. */
interface RecordedMonitor {
    registerResource(req: RegisterResourceRequest, callback: RegisterResourceCallback): unknown;
}

/**
 * Wraps the mock monitor so each registration is recorded with its parent and dependencies. The mock
 * monitor's URNs name only the parent's own type; the recorded ones name the whole chain of parent
 * types (`A$B$C`), as the Pulumi engine writes them to the state, so URN inventories and aliases
 * read like `pulumi stack --show-urns`.
 */
function recordRegistrations(into: Registration[]): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as RecordedMonitor;
    const original = monitor.registerResource.bind(monitor);
    const engineUrns = new Map<string, string>();
    const engineUrn = (urn: string) => engineUrns.get(urn) ?? urn;
    monitor.registerResource = (req, callback) => {
        const raw = pulumi.runtime.deserializeProperties(req.getObject());
        // Deserializing lifts a nested secret to its top-level property; the wire form keeps its place.
        const secretPaths = wireSecretPaths(req.getObject().toJavaScript());
        return original(req, (err, resp) => {
            if (!err) {
                const parent = req.getParent() ? engineUrn(req.getParent()) : undefined;
                const urn = qualifiedUrn(resp.getUrn(), parent);
                engineUrns.set(resp.getUrn(), urn);
                into.push({
                    type: req.getType(),
                    name: req.getName(),
                    urn,
                    parent,
                    custom: req.getCustom(),
                    inputs: unwrapSecrets(raw) as ResourceInputs,
                    secretPaths,
                    dependencies: req.getDependenciesList().map(engineUrn).sort(),
                    provider: req.getProvider() || undefined,
                    retainOnDelete: req.getRetainondelete() === true,
                    protect: req.getProtect() === true,
                    replaceOnChanges: req.getReplaceonchangesList(),
                    deleteBeforeReplace: req.getDeletebeforereplace() === true,
                    aliases: req.getAliasesList().map((alias) => recordedAlias(alias, engineUrn)),
                });
            }
            callback(err, resp);
        });
    };
}

/** A mock URN with the parent's whole type chain in place of its last type. */
function qualifiedUrn(mockUrn: string, parent: string | undefined): string {
    if (parent === undefined) {
        return mockUrn;
    }
    const [prefix, project, types, ...name] = mockUrn.split("::");
    return [prefix, project, `${parent.split("::")[2]}$${types.split("$").pop()}`, ...name].join(
        "::",
    );
}

/**
 * Resolves once `calls()` has not changed for {@link QUIET_MS}, or after {@link FAILED_RUN_DRAIN_MS}.
 * What Pulumi still does after a failure is promise work that ends within a few event-loop turns;
 * what waits on a failed Output waits forever.
 */
async function quiet(calls: () => number): Promise<void> {
    const deadline = Date.now() + FAILED_RUN_DRAIN_MS;
    let seen: number;
    do {
        seen = calls();
        await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    } while (calls() !== seen && Date.now() < deadline);
}

/** Waits until Pulumi's RPC queue is drained and stays drained. */
async function settle(): Promise<void> {
    // waitForRPCs is the runtime's own drain loop (used by `disconnect`), not part of the public API:
    // the settings module exports it, its typings leave it out.
    const { waitForRPCs } = runtimeSettings as typeof runtimeSettings & {
        waitForRPCs(): Promise<void>;
    };
    for (let i = 0; i < 3; i++) {
        await waitForRPCs();
        await new Promise((resolve) => setImmediate(resolve));
    }
}

/** Whether the input at `path` (or a parent of it) was a secret Output. */
export function isSecretInput(registration: Registration, path: string): boolean {
    return registration.secretPaths.some(
        (p) => p === path || path.startsWith(`${p}.`) || path.startsWith(`${p}[`),
    );
}

/** Replaces every RPC secret marker with its value. */
function unwrapSecrets(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map((v) => unwrapSecrets(v));
    }
    if (value && typeof value === "object" && value.constructor === Object) {
        const record = value as Record<string, unknown>;
        if (record[SIG_KEY] === SECRET_SIG) {
            return unwrapSecrets(record.value);
        }
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/**
 * The property paths of the secret markers in a request's wire form, outermost only. Other special
 * values (resource references, assets) are leaves.
 */
function wireSecretPaths(value: unknown, path = "", into: string[] = []): string[] {
    if (Array.isArray(value)) {
        value.forEach((v, i) => wireSecretPaths(v, `${path}[${i}]`, into));
    } else if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[SIG_KEY] === SECRET_SIG) {
            into.push(path);
        } else if (record[SIG_KEY] === undefined) {
            for (const [k, v] of Object.entries(record)) {
                wireSecretPaths(v, path ? `${path}${propertyKey(k)}` : k, into);
            }
        }
    }
    return into;
}

function recordedAlias(alias: AliasMessage, engineUrn: (urn: string) => string): RecordedAlias {
    const spec = alias.getSpec();
    if (alias.getUrn() !== "" || spec === undefined) {
        return { urn: alias.getUrn() };
    }
    return Object.fromEntries(
        Object.entries({
            name: spec.getName() || undefined,
            type: spec.getType() || undefined,
            parentUrn: spec.getParenturn() ? engineUrn(spec.getParenturn()) : undefined,
            noParent: spec.getNoparent() || undefined,
        }).filter(([, v]) => v !== undefined),
    );
}

function propertyKey(k: string): string {
    return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}

/** Resolves every Output inside a value; returns which top-level keys were secret. */
async function resolveDeep(value: unknown): Promise<{ value: unknown; secretKeys: string[] }> {
    const secretKeys: string[] = [];
    if (
        value &&
        typeof value === "object" &&
        !pulumi.Output.isInstance(value) &&
        !Array.isArray(value)
    ) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            const output: pulumi.Output<unknown> = pulumi.output(v as unknown);
            out[k] = await outputValue(output);
            if (await pulumi.isSecret(output)) {
                secretKeys.push(k);
            }
        }
        return { value: out, secretKeys };
    }
    return {
        value: value === undefined ? undefined : await outputValue(pulumi.output(value)),
        secretKeys,
    };
}

function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
    // Output.promise() is the SDK's own way to await a value; unlike apply it also rejects on error.
    return (output as pulumi.Output<T> & { promise(): Promise<T> }).promise();
}

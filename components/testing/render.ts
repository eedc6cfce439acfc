import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";
import * as YAML from "yaml";
import { dnsLabel } from "../core";
import { ProgramError, runProgram, type InvokeMock, type Registration } from "./engine";
import {
    kubernetesManifests,
    validateRegistrations,
    type Manifest,
    type ManifestProblem,
} from "./manifests";

/** What replaces every redacted value in rendered files. */
export const REDACTED = "<redacted>";

export interface RenderOptions {
    /** Stack name: `stacks/Pulumi.<stack>.yaml` (under the project's `stackConfigDir`). */
    stack: string;
    /** Folder holding `Pulumi.yaml`. */
    root: string;
    /** Folder the files are written to; nothing is written when absent. Existing render files there are replaced. */
    out?: string;
    /** Receives one line per phase (reading config, evaluating, validating, writing). */
    progress?: (line: string) => void;
    /** A stack file to read instead of `<stackConfigDir>/Pulumi.<stack>.yaml`, e.g. a variant under test. */
    stackFile?: string;
}

/** A rendered Kubernetes object. */
export interface RenderedManifest {
    /** `Kind namespace/name`. */
    object: string;
    /** Pulumi resource name of the registration. */
    resource: string;
    /** Path of its file, relative to the output folder. */
    file: string;
    /** The object with Secret data and every secret input redacted. */
    manifest: Manifest;
    /** True for server-side apply patches of objects the program does not own. */
    patch: boolean;
}

/** A rendered Helm release: its chart and computed values, secrets redacted. */
export interface RenderedRelease {
    resource: string;
    file: string;
    name: string;
    namespace: string;
    chart: string;
    version?: string;
    values: Record<string, unknown>;
}

export interface RenderResult {
    /** The resource tree (component hierarchy; type and name per line). */
    tree: string;
    /** Registrations per type token, sorted by type. */
    counts: Record<string, number>;
    manifests: RenderedManifest[];
    releases: RenderedRelease[];
    /** Every object that would be refused, and every secret placeholder found outside a secret. */
    problems: ManifestProblem[];
    /** The stack's outputs, secret ones redacted. */
    outputs: Record<string, unknown>;
    /** Every rendered file by path relative to the output folder, sorted; what `out` receives. */
    files: Record<string, string>;
}

/** The stack configuration as `pulumi` would hand it to the program, secure values replaced. */
export interface StackConfig {
    project: string;
    /** The program file to run. */
    entry: string;
    /** Fully qualified keys (`pipeline-platform:platform`); objects as JSON text. */
    config: Record<string, string>;
    secretKeys: string[];
    /** The placeholder that stands for each secure value, by the config path it replaced. */
    placeholders: Record<string, string>;
}

/** Wrong or missing configuration; `path` names the config key or property when one is known. */
export class StackConfigError extends Error {
    constructor(
        message: string,
        readonly path?: string,
    ) {
        super(message);
        this.name = "StackConfigError";
    }
}

/**
 * Renders a stack offline: reads its config, runs its program under the mock engine (preview mode),
 * validates every Kubernetes object, and returns (and writes to `out`) the resource tree, manifests,
 * Helm releases and outputs with every secret redacted. Throws {@link StackConfigError} for bad
 * config, {@link ProgramError} when the program fails otherwise; invalid objects are returned as
 * `problems`, not thrown, so the files can still be inspected.
 */
export async function renderStack(options: RenderOptions): Promise<RenderResult> {
    const progress = options.progress ?? (() => undefined);
    progress(`reading config of stack ${options.stack}`);
    const stackConfig = readStackConfig(options.root, options.stack, options.stackFile);

    progress(
        `evaluating ${path.relative(options.root, stackConfig.entry) || stackConfig.entry} under the mock engine`,
    );
    const result = await runStackProgram(stackConfig, options.stack);
    const registrations = result.registrations;

    progress(`validating ${kubernetesManifests(registrations).length} Kubernetes objects`);
    const problems = await validateRegistrations(registrations);
    problems.push(...duplicateObjects(registrations), ...misplacedSecrets(registrations));

    const manifests = renderManifests(registrations);
    const releases = renderReleases(registrations);
    const outputs = redactOutputs(result.outputs, result.secretOutputs);
    const tree = resourceTree(registrations);
    const counts = countByType(registrations);

    const files: Record<string, string> = {};
    files["tree.txt"] = `${tree}\n${countsText(counts)}`;
    files["outputs.yaml"] = toYaml(outputs);
    for (const m of manifests) {
        files[m.file] = toYaml(m.manifest);
    }
    for (const r of releases) {
        files[r.file] = toYaml({
            name: r.name,
            namespace: r.namespace,
            chart: r.chart,
            version: r.version,
            values: r.values,
        });
    }
    for (const [file, inputs] of otherResources(registrations)) {
        files[file] = toYaml(inputs);
    }
    problems.push(...placeholderLeaks(files, stackConfig.placeholders));
    // Chart folders and build contexts are absolute paths; relative ones render the same on every clone.
    const rootPrefix = `${path.resolve(options.root)}${path.sep}`;
    const sortedFiles = Object.fromEntries(
        Object.entries(files)
            .sort(([a], [b]) => compare(a, b))
            .map(([file, text]) => [file, text.split(rootPrefix).join("")]),
    );

    if (options.out) {
        progress(`writing ${Object.keys(sortedFiles).length} files to ${options.out}`);
        writeFiles(options.out, sortedFiles);
    }
    return { tree, counts, manifests, releases, problems, outputs, files: sortedFiles };
}

/** Reads `Pulumi.yaml` and the stack file the way the Pulumi CLI would, secure values replaced by placeholders. */
export function readStackConfig(
    root: string,
    stack: string,
    stackFileOverride?: string,
): StackConfig {
    const projectFile = path.join(root, "Pulumi.yaml");
    const project = parseYamlFile(projectFile) as ProjectFile | null | undefined;
    if (typeof project?.name !== "string") {
        throw new StackConfigError(`${projectFile}: no project name`);
    }
    const stackDir = path.join(root, project.stackConfigDir ?? ".");
    const stackFile = stackFileOverride ?? path.join(stackDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        const known = fs
            .readdirSync(stackDir)
            .flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? [])
            .sort();
        throw new StackConfigError(
            `no stack ${JSON.stringify(stack)}: ${stackFile} does not exist; stacks: ${known.join(", ") || "none"}`,
        );
    }
    const config: Record<string, string> = {};
    const secretKeys = new Set<string>();
    const placeholders: Record<string, string> = {};
    const qualify = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
    const set = (key: string, value: unknown) => {
        const qualified = qualify(key);
        const replaced = replaceSecure(value, qualified, placeholders);
        if (replaced.secret) {
            secretKeys.add(qualified);
        }
        const v = replaced.value;
        config[qualified] =
            v !== null && typeof v === "object" ? JSON.stringify(v) : String(v ?? "");
    };
    // Project-level config declarations supply defaults the stack file may override.
    for (const [key, declaration] of Object.entries<unknown>(project.config ?? {})) {
        const declared =
            declaration && typeof declaration === "object" && !Array.isArray(declaration)
                ? (declaration as { value?: unknown; default?: unknown })
                : undefined;
        const value = declared ? (declared.value ?? declared.default) : declaration;
        if (value !== undefined) {
            set(key, value);
        }
    }
    for (const [key, value] of Object.entries<unknown>(
        (parseYamlFile(stackFile) as { config?: Record<string, unknown> } | null | undefined)
            ?.config ?? {},
    )) {
        set(key, value);
    }
    return {
        project: project.name,
        entry: programEntry(root, project.main),
        config,
        secretKeys: [...secretKeys].sort(),
        placeholders,
    };
}

/** The parts of `Pulumi.yaml` a render reads. */
interface ProjectFile {
    name?: unknown;
    main?: string;
    stackConfigDir?: string;
    config?: Record<string, unknown>;
}

function parseYamlFile(file: string): unknown {
    try {
        return YAML.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new StackConfigError(`${file}: ${(err as Error).message}`);
    }
}

/** The file Pulumi runs: `main` (a file, or a folder's `index.ts`), default the project folder. */
function programEntry(root: string, main: string | undefined): string {
    const target = path.resolve(root, main ?? ".");
    return fs.existsSync(target) && fs.statSync(target).isDirectory()
        ? path.join(target, "index.ts")
        : target;
}

/** Replaces every `{ secure: … }` value with a placeholder naming its config path. */
function replaceSecure(
    value: unknown,
    keyPath: string,
    placeholders: Record<string, string>,
): { value: unknown; secret: boolean } {
    if (Array.isArray(value)) {
        const items = value.map((v, i) => replaceSecure(v, `${keyPath}[${i}]`, placeholders));
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (value && typeof value === "object") {
        const entries = Object.entries(value);
        if (entries.length === 1 && entries[0][0] === "secure") {
            const placeholder = `[secret:${keyPath}]`;
            placeholders[keyPath] = placeholder;
            return { value: placeholder, secret: true };
        }
        const replaced = entries.map(
            ([k, v]) => [k, replaceSecure(v, `${keyPath}.${k}`, placeholders)] as const,
        );
        return {
            value: Object.fromEntries(replaced.map(([k, r]) => [k, r.value])),
            secret: replaced.some(([, r]) => r.secret),
        };
    }
    // Nested scalars keep their JSON types, as in the config Pulumi hands a program.
    return { value, secret: false };
}

/**
 * The data sources stacks read, answered offline. One table: any invoke not listed still fails the
 * render, as it would fail a test.
 */
export const STACK_INVOKES: Record<string, InvokeMock> = {
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
        id: "123456789012",
        accountId: "123456789012",
        arn: "arn:aws:iam::123456789012:user/render",
        userId: "AIDARENDER",
    }),
    "aws:index/getRegion:getRegion": (inputs) => {
        const region =
            inputs.region ?? inputs.name ?? new pulumi.Config("aws").get("region") ?? "us-east-1";
        return {
            id: region,
            name: region,
            region,
            description: region,
            endpoint: `ec2.${region}.amazonaws.com`,
        };
    },
    "aws:index/getPartition:getPartition": () => ({
        id: "aws",
        partition: "aws",
        dnsSuffix: "amazonaws.com",
        reverseDnsPrefix: "com.amazonaws",
    }),
    "aws:iam/getPolicyDocument:getPolicyDocument": (inputs) => {
        const json = JSON.stringify({
            Version: "2012-10-17",
            Statement: ((inputs.statements ?? []) as PolicyStatementInputs[]).map(policyStatement),
        });
        return { id: json, json, minifiedJson: json };
    },
    // Push tokens are short-lived credentials: the render answers with marked placeholders, so a
    // leak of one into a manifest or a file is caught like any other secret.
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": (inputs) => {
        const registryId = inputs.registryId ?? "123456789012";
        const region = inputs.region ?? new pulumi.Config("aws").get("region") ?? "us-east-1";
        const password = "[secret:ecr-authorization-token]";
        return {
            id: region,
            registryId,
            region,
            userName: "AWS",
            password,
            authorizationToken: Buffer.from(`AWS:${password}`).toString("base64"),
            proxyEndpoint: `https://${registryId}.dkr.ecr.${region}.amazonaws.com`,
            expiresAt: "2000-01-01T12:00:00Z",
        };
    },
    "gcp:organizations/getClientConfig:getClientConfig": () => {
        const gcp = new pulumi.Config("gcp");
        return {
            id: "render",
            project: gcp.get("project") ?? "render-project",
            region: gcp.get("region") ?? "europe-west4",
            zone: gcp.get("zone") ?? "",
            accessToken: "[secret:gcp-access-token]",
        };
    },
    "gcp:organizations/getProject:getProject": (inputs) => {
        const projectId =
            inputs.projectId ?? new pulumi.Config("gcp").get("project") ?? "render-project";
        return { id: `projects/${projectId}`, projectId, name: projectId, number: "123456789012" };
    },
};

/** One statement of `aws.iam.getPolicyDocument`'s inputs (the SDK's argument names). */
interface PolicyStatementInputs {
    sid?: string;
    effect?: string;
    actions?: string[];
    notActions?: string[];
    resources?: string[];
    notResources?: string[];
    principals?: Array<{ type: string; identifiers: string[] }>;
    conditions?: Array<{ test: string; variable: string; values: string[] }>;
}

function policyStatement(s: PolicyStatementInputs): Record<string, unknown> {
    const principals = (list: PolicyStatementInputs["principals"]) =>
        list &&
        Object.fromEntries(
            list.map((p) => [
                p.type,
                p.identifiers.length === 1 ? p.identifiers[0] : p.identifiers,
            ]),
        );
    const statement: Record<string, unknown> = {
        Sid: s.sid,
        Effect: s.effect ?? "Allow",
        Action: s.actions,
        NotAction: s.notActions,
        Resource: s.resources,
        NotResource: s.notResources,
        Principal: principals(s.principals),
        Condition:
            s.conditions &&
            Object.fromEntries(s.conditions.map((c) => [c.test, { [c.variable]: c.values }])),
    };
    return Object.fromEntries(Object.entries(statement).filter(([, v]) => v !== undefined));
}

async function runStackProgram(stackConfig: StackConfig, stack: string) {
    try {
        return await runProgram(() => evaluateProgram(stackConfig.entry), {
            project: stackConfig.project,
            stack,
            preview: true,
            config: stackConfig.config,
            secretConfigKeys: stackConfig.secretKeys,
            invokes: STACK_INVOKES,
        });
    } catch (err) {
        const cause = err instanceof ProgramError ? err.cause : err;
        if (pulumi.InputPropertyError.isInstance(cause)) {
            const reason = cause.reason.startsWith(`${cause.propertyPath}:`)
                ? cause.reason
                : `${cause.propertyPath}: ${cause.reason}`;
            throw new StackConfigError(reason, cause.propertyPath);
        }
        if (
            cause instanceof Error &&
            /^Missing required configuration variable|^Configuration '.*' value/.test(cause.message)
        ) {
            throw new StackConfigError(cause.message.split("\n")[0]);
        }
        throw err;
    }
}

/**
 * Runs the program file afresh, so every render registers its resources again: the file is
 * transpiled and evaluated on each call while what it imports (components, SDKs) stays loaded
 * once. Mirrors the Pulumi runtime: a default export is used (called when it is a function),
 * otherwise the named exports are the stack outputs.
 */
function evaluateProgram(entry: string): unknown {
    // typescript is only needed when rendering; loading it lazily keeps it out of the package's import path.
    const ts = createRequire(__filename)("typescript") as typeof import("typescript");
    const source = fs.readFileSync(entry, "utf8");
    const { outputText } = ts.transpileModule(source, {
        fileName: entry,
        compilerOptions: {
            module: ts.ModuleKind.CommonJS,
            target: ts.ScriptTarget.ES2022,
            esModuleInterop: true,
        },
    });
    const module = { exports: {} as Record<string, unknown> };
    const dir = path.dirname(entry);
    // The program loads through this module's own require (jest's module registry under jest), as if it sat in `dir`.
    const localRequire = (specifier: string) =>
        ownRequire(require.resolve(specifier, { paths: [dir] }));
    new Function("exports", "require", "module", "__filename", "__dirname", outputText)(
        module.exports,
        localRequire,
        module,
        entry,
        dir,
    );
    const exported = module.exports;
    if (Object.getOwnPropertyDescriptor(exported, "default") !== undefined) {
        const main = exported.default;
        return typeof main === "function" ? main() : main;
    }
    return { ...exported };
}

/** This module's `require` (the local `module` in evaluateProgram shadows the CommonJS one). */
function ownRequire(id: string): unknown {
    return module.require(id);
}

function renderManifests(registrations: Registration[]): RenderedManifest[] {
    return kubernetesManifests(registrations).map(({ registration, manifest, patch }) => {
        // Secret payloads are redacted key by key, so the keys stay reviewable.
        const payload = manifest.kind === "Secret" ? ["data", "stringData"] : [];
        const redacted = redactPaths(
            manifest,
            registration.secretPaths.filter(
                (p) =>
                    !payload.some(
                        (field) =>
                            p === field || p.startsWith(`${field}.`) || p.startsWith(`${field}[`),
                    ),
            ),
        );
        for (const field of payload) {
            if (redacted[field] && typeof redacted[field] === "object") {
                redacted[field] = Object.fromEntries(
                    Object.keys(redacted[field]).map((k) => [k, REDACTED]),
                );
            }
        }
        const namespace = manifest.metadata.namespace ?? "_cluster";
        const name = manifest.metadata.name ?? dnsLabel(registration.name);
        const file = patch
            ? `patches/${namespace}/${manifest.kind.toLowerCase()}.${name}.${dnsLabel(registration.name)}.yaml`
            : `manifests/${namespace}/${manifest.kind.toLowerCase()}.${name}.yaml`;
        const object = `${manifest.kind} ${manifest.metadata.namespace ? `${manifest.metadata.namespace}/` : ""}${manifest.metadata.name ?? "<no name>"}`;
        return { object, resource: registration.name, file, manifest: redacted, patch };
    });
}

function renderReleases(registrations: Registration[]): RenderedRelease[] {
    return registrations
        .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
        .map((registration) => {
            const inputs = redactPaths(registration.inputs, registration.secretPaths);
            const name = inputs.name ?? registration.name;
            const namespace = inputs.namespace ?? "default";
            return {
                resource: registration.name,
                file: `releases/${namespace}/${name}.yaml`,
                name,
                namespace,
                chart: inputs.chart,
                version: inputs.version,
                values: inputs.values ?? {},
            };
        });
}

/** Custom resources that are neither Kubernetes objects nor Helm releases: buckets, keys, images. */
function otherResources(registrations: Registration[]): Array<[string, unknown]> {
    const kubernetes = new Set(kubernetesManifests(registrations).map((m) => m.registration));
    return registrations
        .filter(
            (r) =>
                r.custom &&
                !kubernetes.has(r) &&
                r.type !== "kubernetes:helm.sh/v3:Release" &&
                !r.type.startsWith("pulumi:providers:"),
        )
        .map((r) => [
            `resources/${r.type.replace(/[^A-Za-z0-9.-]+/g, "_")}.${dnsLabel(r.name)}.yaml`,
            redactPaths(r.inputs, r.secretPaths),
        ]);
}

/** Two resources owning the same object would fight over it in the cluster. */
function duplicateObjects(registrations: Registration[]): ManifestProblem[] {
    const seen = new Map<string, string>();
    const problems: ManifestProblem[] = [];
    for (const { registration, manifest, patch } of kubernetesManifests(registrations)) {
        if (patch) {
            continue;
        }
        const object = `${manifest.apiVersion} ${manifest.kind} ${manifest.metadata.namespace ?? ""}/${manifest.metadata.name}`;
        const first = seen.get(object);
        if (first !== undefined) {
            problems.push({
                object,
                resource: registration.name,
                path: "/metadata/name",
                message: `declared by both ${first} and ${registration.name}`,
            });
        } else {
            seen.set(object, registration.name);
        }
    }
    return problems;
}

/**
 * Rule 5: credentials live only in Secrets. A secret input anywhere else in a Kubernetes object, or
 * anywhere in a Helm release (which receives Secret names), is reported; it is redacted either way.
 */
function misplacedSecrets(registrations: Registration[]): ManifestProblem[] {
    const problems: ManifestProblem[] = [];
    for (const { registration, manifest } of kubernetesManifests(registrations)) {
        const object = `${manifest.kind} ${manifest.metadata.namespace ? `${manifest.metadata.namespace}/` : ""}${manifest.metadata.name ?? "<no name>"}`;
        for (const p of registration.secretPaths) {
            if (!(manifest.kind === "Secret" && /^(data|stringData)(\.|\[|$)/.test(p))) {
                problems.push({
                    object,
                    resource: registration.name,
                    path: p,
                    message:
                        "holds a secret outside Secret data: credentials belong only in Secrets (rule 5)",
                });
            }
        }
    }
    for (const registration of registrations.filter(
        (r) => r.type === "kubernetes:helm.sh/v3:Release",
    )) {
        for (const p of registration.secretPaths) {
            problems.push({
                object: `Helm release ${registration.inputs.name ?? registration.name}`,
                resource: registration.name,
                path: p,
                message:
                    "holds a secret: Helm releases receive Secret names, never credentials (rule 5)",
            });
        }
    }
    return problems;
}

/** A secure config value's placeholder outside a redacted field means a credential left a Secret (rule 5). */
function placeholderLeaks(
    files: Record<string, string>,
    placeholders: Record<string, string>,
): ManifestProblem[] {
    const problems: ManifestProblem[] = [];
    for (const [key, placeholder] of Object.entries(placeholders).sort(([a], [b]) =>
        compare(a, b),
    )) {
        const forms = [placeholder, ...base64Forms(placeholder)];
        for (const [file, text] of Object.entries(files).sort(([a], [b]) => compare(a, b))) {
            if (forms.some((f) => text.includes(f))) {
                problems.push({
                    object: file,
                    resource: file,
                    path: "/",
                    message: `holds the secure config value ${key} outside a Secret: credentials belong only in Secrets (rule 5)`,
                });
            }
        }
    }
    return problems;
}

/** The base64 text of `s` at each of the three byte alignments it can have inside longer data. */
export function base64Forms(s: string): string[] {
    return [0, 1, 2].map((offset) => {
        const encoded = Buffer.concat([Buffer.alloc(offset), Buffer.from(s)]).toString("base64");
        const complete = Math.floor((offset + Buffer.byteLength(s)) / 3) * 4;
        return encoded.slice([0, 2, 3][offset], complete);
    });
}

function redactOutputs(outputs: unknown, secretKeys: string[]): Record<string, unknown> {
    const record =
        outputs && typeof outputs === "object"
            ? (outputs as Record<string, unknown>)
            : outputs === undefined
              ? {}
              : { value: outputs };
    return Object.fromEntries(
        Object.entries(record).map(([k, v]) => [k, secretKeys.includes(k) ? REDACTED : v]),
    );
}

/** A deep copy of `value` with every property at one of `paths` (engine path syntax) replaced by {@link REDACTED}. */
export function redactPaths<T>(value: T, paths: string[]): T {
    const copy = structuredClone(value);
    for (const p of paths) {
        const keys = parsePath(p);
        let target: unknown = copy;
        for (const key of keys.slice(0, -1)) {
            target = (target as Record<string | number, unknown> | null | undefined)?.[key];
        }
        const last = keys[keys.length - 1];
        if (target && typeof target === "object" && last !== undefined && last in target) {
            (target as Record<string | number, unknown>)[last] = REDACTED;
        }
    }
    return copy;
}

function parsePath(p: string): Array<string | number> {
    const keys: Array<string | number> = [];
    const token = /\.?([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
    for (const m of p.matchAll(token)) {
        keys.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : JSON.parse(m[3])));
    }
    return keys;
}

/** The component hierarchy from parent URNs, children sorted by type and name. */
function resourceTree(registrations: Registration[]): string {
    const byUrn = new Set(registrations.map((r) => r.urn));
    const children = new Map<string | undefined, Registration[]>();
    for (const r of registrations) {
        const parent = r.parent && byUrn.has(r.parent) ? r.parent : undefined;
        children.set(parent, [...(children.get(parent) ?? []), r]);
    }
    const lines: string[] = [];
    const visit = (parent: string | undefined, indent: string) => {
        const list = [...(children.get(parent) ?? [])].sort(
            (a, b) => compare(a.type, b.type) || compare(a.name, b.name),
        );
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            lines.push(
                `${indent}${parent === undefined ? "" : last ? "└─ " : "├─ "}${r.type} ${r.name}`,
            );
            visit(r.urn, parent === undefined ? "" : `${indent}${last ? "   " : "│  "}`);
        });
    };
    visit(undefined, "");
    return lines.join("\n");
}

function countByType(registrations: Registration[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const type of registrations.map((r) => r.type).sort()) {
        counts[type] = (counts[type] ?? 0) + 1;
    }
    return counts;
}

/** The per-type counts as printed under the tree. */
export function countsText(counts: Record<string, number>): string {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const rows = Object.entries(counts).map(([type, n]) => `${String(n).padStart(5)}  ${type}`);
    return `${["resources by type:", ...rows, `${String(total).padStart(5)}  total`].join("\n")}\n`;
}

const TOP_LEVEL_ORDER = ["apiVersion", "kind", "metadata"];

/** YAML with keys sorted (well-known Kubernetes keys first at the top), so output is stable. */
function toYaml(value: unknown): string {
    const sorted = sortKeys(value) as Record<string, unknown>;
    const ordered =
        sorted && typeof sorted === "object" && !Array.isArray(sorted)
            ? Object.fromEntries([
                  ...TOP_LEVEL_ORDER.filter((k) => k in sorted).map((k) => [k, sorted[k]]),
                  ...Object.entries(sorted).filter(([k]) => !TOP_LEVEL_ORDER.includes(k)),
              ])
            : sorted;
    return YAML.stringify(ordered, { lineWidth: 0 });
}

/** Code-unit order: the same on every machine, unlike locale collation. */
function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(sortKeys);
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(
            Object.entries(value)
                .filter(([, v]) => v !== undefined)
                .sort(([a], [b]) => compare(a, b))
                .map(([k, v]) => [k, sortKeys(v)]),
        );
    }
    return value;
}

/** The folders and files a render owns in its output folder; only these are replaced. */
const OWNED = ["manifests", "patches", "releases", "resources", "tree.txt", "outputs.yaml"];

function writeFiles(out: string, files: Record<string, string>): void {
    for (const entry of OWNED) {
        fs.rmSync(path.join(out, entry), { recursive: true, force: true });
    }
    for (const [file, text] of Object.entries(files)) {
        const target = path.join(out, file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, text);
    }
}

// Reads a V8 CPU profile (`.cpuprofile`, as written by bench-worker.ts or `node --cpu-prof`) and
// says where the time went: self time per module and the functions with the most self time.
import * as path from "path";

interface ProfileNode {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
}

export interface CpuProfile {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
}

/** Self time of one module or function, in milliseconds and as a share of the profiled window. */
export interface SelfTime {
    name: string;
    ms: number;
    share: number;
}

export interface ProfileSummary {
    totalMs: number;
    byModule: SelfTime[];
    /** Like byModule, but time in Node internals and native code counts for the module that called it. */
    byCallingModule: SelfTime[];
    topFunctions: SelfTime[];
}

/** Self time by module (own and calling) and the `top` functions with the most self time. */
export function summarizeProfile(profile: CpuProfile, root: string, top = 15): ProfileSummary {
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parents = new Map(
        profile.nodes.flatMap((n) => (n.children ?? []).map((child) => [child, n.id] as const)),
    );
    const moduleOfNode = (id: number) => {
        const frame = (nodes.get(id) as ProfileNode).callFrame;
        return moduleOf(frame.url, frame.functionName, root);
    };
    const callingModule = (id: number): string => {
        const own = moduleOfNode(id);
        for (
            let at = parents.get(id);
            at !== undefined && DELEGATED.has(own);
            at = parents.get(at)
        ) {
            const caller = moduleOfNode(at);
            if (!DELEGATED.has(caller) && caller !== "(root)") {
                return caller;
            }
        }
        return own;
    };
    const selfUs = new Map<number, number>();
    profile.samples.forEach((id, i) =>
        selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
    );
    const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
    const modules = new Map<string, number>();
    const callers = new Map<string, number>();
    const functions = new Map<string, number>();
    for (const [id, us] of selfUs) {
        const frame = (nodes.get(id) as ProfileNode).callFrame;
        const module = moduleOf(frame.url, frame.functionName, root);
        modules.set(module, (modules.get(module) ?? 0) + us);
        const caller = callingModule(id);
        callers.set(caller, (callers.get(caller) ?? 0) + us);
        const where = frame.url ? `${shortUrl(frame.url, root)}:${frame.lineNumber + 1}` : "native";
        const key = `${frame.functionName || "(anonymous)"} ${where} [${module}]`;
        functions.set(key, (functions.get(key) ?? 0) + us);
    }
    const ranked = (m: Map<string, number>) =>
        [...m.entries()]
            .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
            .map(([name, us]) => ({ name, ms: us / 1000, share: totalUs > 0 ? us / totalUs : 0 }));
    return {
        totalMs: totalUs / 1000,
        byModule: ranked(modules),
        byCallingModule: ranked(callers),
        topFunctions: ranked(functions).slice(0, top),
    };
}

/** Modules that work for their caller: Node's own code (e.g. formatting a stack trace) and native functions. */
const DELEGATED = new Set(["node internals", "(native)"]);

/** Which part of the process a frame belongs to: the SDK, this package, a model library, V8 itself. */
export function moduleOf(url: string, functionName: string, root: string): string {
    if (!url) {
        return /^\((garbage collector|program|idle|root)\)$/.test(functionName)
            ? functionName
            : "(native)";
    }
    if (url.startsWith("node:")) {
        return "node internals";
    }
    const file = url.startsWith("file://") ? decodeURIComponent(new URL(url).pathname) : url;
    const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
    if (inModules) {
        const pkg = inModules[1];
        if (pkg === "@pulumi/pulumi" || pkg.startsWith("@grpc/") || pkg === "google-protobuf") {
            return "pulumi SDK";
        }
        return pkg.startsWith("@kubernetes-models/") ? "kubernetes-models" : pkg;
    }
    const relative = path.relative(root, file);
    if (relative.startsWith("components/testing/")) {
        return "mock engine (components/testing)";
    }
    if (relative.startsWith("components/")) {
        return "this package";
    }
    return relative.startsWith("..") ? file : relative.split(path.sep)[0];
}

function shortUrl(url: string, root: string): string {
    if (url.startsWith("node:")) {
        return url;
    }
    const file = url.startsWith("file://") ? decodeURIComponent(new URL(url).pathname) : url;
    const inModules = file.lastIndexOf("node_modules/");
    return inModules >= 0
        ? file.slice(inModules + "node_modules/".length)
        : path.relative(root, file);
}

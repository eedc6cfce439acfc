import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    parseSizes,
    renderScriptArgs,
    summarize,
    TARGETS,
    type BenchReport,
    type SizeResult,
} from "../../bin/bench";
import { moduleOf, summarizeProfile } from "../../bin/bench-profile";
import { nodeTs } from "../support/node-ts";

const ROOT = path.join(__dirname, "../..");

// Timings are not asserted: they belong to the bench output. This keeps the bench running.
test("npm run bench at the smallest size writes every figure of the report and ends with the summary line", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-test-"));
    try {
        const result = spawnSync(...nodeTs("bin/bench.ts", "--sizes", "2", "--out", out), {
            cwd: ROOT,
            encoding: "utf8",
            timeout: 170000,
        });
        expect(result.stderr).not.toMatch(/bench-worker:|bench: .*failed/);
        expect(result.status).toBe(0);
        const report: BenchReport = JSON.parse(
            fs.readFileSync(path.join(out, "bench.json"), "utf8"),
        );
        expect(Object.keys(report).sort()).toEqual(["node", "runs", "sizes", "subject", "summary"]);
        expect(report.sizes).toHaveLength(1);
        const [size] = report.sizes;
        expect(Object.keys(size).sort()).toEqual(
            [
                "baseline",
                "componentResources",
                "extensions",
                "leafResources",
                "packageRssShare",
                "peakRssMb",
                "projects",
                "ratio",
                "startRssMb",
                "tree",
                "treeRatio",
                "treeRssRatio",
                "usPerLeaf",
                "wallMs",
            ].sort(),
        );
        expect(Object.keys(size.baseline).sort()).toEqual([
            "peakRssMb",
            "startRssMb",
            "usPerLeaf",
            "wallMs",
        ]);
        expect(Object.keys(size.tree).sort()).toEqual([
            "peakRssMb",
            "startRssMb",
            "usPerLeaf",
            "wallMs",
        ]);
        expect({ extensions: size.extensions, projects: size.projects }).toEqual({
            extensions: 2,
            projects: 2,
        });
        expect(size.leafResources).toBeGreaterThan(0);
        expect(size.componentResources).toBeGreaterThan(0);
        for (const figure of [
            size.wallMs,
            size.peakRssMb,
            size.usPerLeaf,
            size.baseline.wallMs,
            size.baseline.peakRssMb,
            size.baseline.usPerLeaf,
            size.tree.wallMs,
            size.tree.peakRssMb,
        ]) {
            expect(figure).toBeGreaterThan(0);
        }
        expect(size.ratio).toBeCloseTo(size.wallMs / size.baseline.wallMs, 1);
        expect(size.treeRatio).toBeCloseTo(size.wallMs / size.tree.wallMs, 1);
        expect(report.runs).toBe(1);
        expect(report.summary.extensions).toBe(2);
        expect(size.treeRssRatio).toBeCloseTo(size.peakRssMb / size.tree.peakRssMb, 1);
        expect(report.summary.targets).toEqual(TARGETS);
        const lines = result.stdout.trim().split("\n");
        expect(lines[0]).toMatch(
            /^\s*extensions\s+projects\s+leaf\s+components\s+wall ms\s+peak RSS MB\s+us\/leaf\s+baseline ms\s+baseline RSS MB\s+ratio\s+RSS share\s+tree ms\s+over tree\s+tree RSS MB\s+RSS\/tree$/,
        );
        expect(lines[lines.length - 1]).toBe(report.summary.line);
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
}, 180000);

test.each([
    ["10", [{ extensions: 10, projects: 5 }]],
    ["2", [{ extensions: 2, projects: 2 }]],
    [
        "100,500,1000",
        [
            { extensions: 100, projects: 5 },
            { extensions: 500, projects: 25 },
            { extensions: 1000, projects: 50 },
        ],
    ],
    ["2000", [{ extensions: 2000, projects: 50 }]],
    ["100:12", [{ extensions: 100, projects: 12 }]],
])("--sizes %s spreads extensions over project namespaces", (text, sizes) => {
    expect(parseSizes(text)).toEqual(sizes);
});

test.each(["", "ten", "0", "10:0", "10;100", "-5"])(
    "--sizes %j is refused with the expected form",
    (text) => {
        expect(() => parseSizes(text)).toThrow(
            `--sizes: got ${JSON.stringify(text.split(",")[0])}; expected <extensions>[:<projects>], both at least 1, e.g. 100 or 100:10`,
        );
    },
);

function sizeResult(
    extensions: number,
    usPerLeaf: number,
    treeRatio: number,
    treeRssRatio: number,
): SizeResult {
    const leafResources = extensions * 10;
    const wallMs = (usPerLeaf * leafResources) / 1000;
    return {
        extensions,
        projects: 5,
        leafResources,
        componentResources: extensions * 3,
        wallMs,
        peakRssMb: 400,
        usPerLeaf,
        startRssMb: 200,
        baseline: {
            wallMs: wallMs / 1.5,
            peakRssMb: 300,
            usPerLeaf: usPerLeaf / 1.5,
            startRssMb: 190,
        },
        ratio: 1.5,
        tree: {
            wallMs: wallMs / treeRatio,
            peakRssMb: 400 / treeRssRatio,
            usPerLeaf: usPerLeaf / treeRatio,
            startRssMb: 195,
        },
        treeRatio,
        packageRssShare: 0.25,
        treeRssRatio,
    };
}

test("the summary names the worst time and memory over the tree baseline of every size, and time per leaf against 100 extensions", () => {
    const summary = summarize([
        sizeResult(10, 900, 1.2, 1.25),
        sizeResult(100, 500, 1.25, 1.1),
        sizeResult(1000, 590, 1.1, 1.2),
    ]);
    expect(summary).toEqual({
        treeRatio: { extensions: 100, ratio: 1.25 },
        treeRssRatio: { extensions: 10, ratio: 1.25 },
        extensions: 1000,
        referenceExtensions: 100,
        usPerLeafGrowth: 1.18,
        targets: TARGETS,
        targetsMet: true,
        line:
            "bench: worst over the tree baseline: time 1.25x at 100 extensions (target <= 1.25, met), peak RSS 1.25x at 10 " +
            "(target <= 1.25, met); 590 us/leaf at 1000, 1.18x that at 100 (target <= 1.2, met)",
    });
});

test.each([
    [
        "time above 1.25x the tree's at one size",
        sizeResult(10, 500, 1.3, 1.1),
        /time 1\.30x at 10 extensions \(target <= 1\.25, MISSED\)/,
    ],
    [
        "peak RSS above 1.25x the tree's at one size",
        sizeResult(10, 500, 1.1, 1.4),
        /peak RSS 1\.40x at 10 \(target <= 1\.25, MISSED\)/,
    ],
    [
        "time per leaf growing more than 1.2x",
        sizeResult(1000, 650, 1.1, 1.1),
        /1\.30x that at 100 \(target <= 1\.2, MISSED\)/,
    ],
])("the summary reports %s as missed", (_case, other, message) => {
    const summary = summarize([sizeResult(100, 500, 1.1, 1.1), other]);
    expect(summary.targetsMet).toBe(false);
    expect(summary.line).toMatch(message);
});

test("without a 100-extension size, time per leaf is compared with the smallest size", () => {
    expect(
        summarize([sizeResult(500, 400, 1.1, 1.1), sizeResult(20, 500, 1.1, 1.1)]),
    ).toMatchObject({ extensions: 500, referenceExtensions: 20, usPerLeafGrowth: 0.8 });
});

test.each([
    ["file:///repo/node_modules/@pulumi/pulumi/runtime/rpc.js", "f", "pulumi SDK"],
    ["/repo/node_modules/@grpc/grpc-js/build/src/call.js", "f", "pulumi SDK"],
    ["/repo/node_modules/google-protobuf/google-protobuf.js", "f", "pulumi SDK"],
    ["/repo/node_modules/@pulumi/kubernetes/core/v1/secret.js", "f", "@pulumi/kubernetes"],
    ["/repo/node_modules/@kubernetes-models/contour/index.js", "f", "kubernetes-models"],
    ["/repo/node_modules/ajv/dist/core.js", "f", "ajv"],
    ["file:///repo/components/registry/registry-secret.ts", "f", "this package"],
    ["/repo/components/testing/engine.ts", "f", "mock engine (components/testing)"],
    ["/repo/bin/bench-worker.ts", "f", "bin"],
    ["node:internal/url", "f", "node internals"],
    ["", "(garbage collector)", "(garbage collector)"],
    ["", "JSONParse", "(native)"],
])("a frame of %j (%s) belongs to %s", (url, functionName, module) => {
    expect(moduleOf(url, functionName, "/repo")).toBe(module);
});

test("a profile summary adds self time per module, counts Node internals for their caller and ranks functions", () => {
    const frame = (functionName: string, url: string, lineNumber: number) => ({
        functionName,
        url,
        lineNumber,
    });
    const profile = {
        nodes: [
            { id: 1, callFrame: frame("(root)", "", -1), children: [2, 3] },
            {
                id: 2,
                callFrame: frame(
                    "registerResource",
                    "/repo/node_modules/@pulumi/pulumi/runtime/resource.js",
                    9,
                ),
                children: [4],
            },
            { id: 3, callFrame: frame("dnsLabel", "/repo/components/core/names.ts", 19) },
            {
                id: 4,
                callFrame: frame(
                    "prepareStackTrace",
                    "node:internal/source_map/prepare_stack_trace",
                    30,
                ),
            },
        ],
        samples: [2, 3, 4, 2, 1],
        timeDeltas: [1000, 500, 1000, 2000, 500],
    };
    expect(summarizeProfile(profile, "/repo", 2)).toEqual({
        totalMs: 5,
        byModule: [
            { name: "pulumi SDK", ms: 3, share: 0.6 },
            { name: "node internals", ms: 1, share: 0.2 },
            { name: "(root)", ms: 0.5, share: 0.1 },
            { name: "this package", ms: 0.5, share: 0.1 },
        ],
        byCallingModule: [
            { name: "pulumi SDK", ms: 4, share: 0.8 },
            { name: "(root)", ms: 0.5, share: 0.1 },
            { name: "this package", ms: 0.5, share: 0.1 },
        ],
        topFunctions: [
            {
                name: "registerResource @pulumi/pulumi/runtime/resource.js:10 [pulumi SDK]",
                ms: 3,
                share: 0.6,
            },
            {
                name: "prepareStackTrace node:internal/source_map/prepare_stack_trace:31 [node internals]",
                ms: 1,
                share: 0.2,
            },
        ],
    });
});

test("the render bench runs what npm run render runs: the script's Node arguments", () => {
    const script = (
        JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
            scripts: { render: string };
        }
    ).scripts.render;
    expect(renderScriptArgs(script)).toEqual([
        "--require",
        "./bin/render/register-ts.js",
        "bin/render/cli.ts",
        "render",
    ]);
});

test.each([
    "tsx bin/render/cli.ts render",
    "node cli.js render && echo done",
    "NODE_OPTIONS=x node cli.js",
])("the render bench refuses a render script it would not run as npm does: %j", (script) => {
    expect(() => renderScriptArgs(script)).toThrow(
        `the render script must run node with plain arguments, e.g. "node --require ./bin/render/register-ts.js bin/render/cli.ts render"; got ${JSON.stringify(script)}`,
    );
});

import * as fs from "fs";
import * as path from "path";
import { syntheticConfig } from "../../bin/bench-platform";

// The config `npm run bench` measures; in a unit file, since it loads the whole package (the bench
// run itself is an integration test, bench.test.ts).
const ROOT = path.join(__dirname, "../..");

test("the synthetic config has the requested size, spreads pipelines over the projects and is the same every time", () => {
    const config = syntheticConfig({ extensions: 7, projects: 3 });
    expect(Object.keys(config.projects)).toEqual(["project-0000", "project-0001", "project-0002"]);
    expect(config.extensions).toHaveLength(7);
    expect(config.extensions?.map((e) => e.processingImages?.length)).toEqual([
        1, 2, 1, 2, 1, 2, 1,
    ]);
    expect(config.pipelines?.map((p) => p.namespace)).toEqual([
        "project-0000",
        "project-0001",
        "project-0002",
        "project-0000",
        "project-0001",
        "project-0002",
        "project-0000",
    ]);
    expect(config.registries.map((r) => [r.name, r.scope, r.location])).toEqual([
        ["projects", "project", "off-cluster"],
        ["services", "service", "off-cluster"],
    ]);
    expect(syntheticConfig({ extensions: 7, projects: 3 })).toEqual(config);
});

test("every build context of the synthetic config exists with its Dockerfile", () => {
    const config = syntheticConfig({ extensions: 2, projects: 1 });
    const contexts = new Set(
        (config.extensions ?? []).flatMap((e) => [
            ...(e.processingImages ?? []).map((i) => i.context),
            e.installer && "context" in e.installer ? e.installer.context : "",
        ]),
    );
    expect([...contexts].sort()).toEqual([
        "examples/otsus-method/extension",
        "examples/otsus-method/processing-container",
    ]);
    for (const context of contexts) {
        expect(fs.statSync(path.join(ROOT, context, "Dockerfile")).isFile()).toBe(true);
    }
});

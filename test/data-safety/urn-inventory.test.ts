// The recorded-state upgrade test (pulumi-eks's idea, offline): the URNs of every resource that holds
// data, per stack and per example, are committed in test/fixtures/urn-inventory/. A change that moves
// one (a renamed component, a new type token or child name, another parent) fails here until the
// resource carries an alias to its recorded URN, or the inventory is deliberately re-recorded.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { checkUrnInventory, urnInventory, type InventoryEntry } from "../../components/testing";
import { runExample } from "../examples/run-example";
import { renderedStack } from "../support/evaluations";

const root = path.join(__dirname, "../..");
const inventoryDir = path.join(root, "test/fixtures/urn-inventory");
const RECORD = process.env.UPDATE_URN_INVENTORY === "1";

/** A committed inventory: where the resources come from and their URNs. */
interface InventoryFile {
    source: string;
    resources: InventoryEntry[];
}

const stacks = fs
    .readdirSync(path.join(root, "stacks"))
    .flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? [])
    .sort();
const examples = fs
    .readdirSync(path.join(root, "examples"))
    .filter((f) => fs.existsSync(path.join(root, "examples", f, "Pulumi.yaml")))
    .sort();

const coverage = { stacks: 0, examples: 0, resources: 0 };
afterAll(() => {
    // The inventory's coverage, for the record of a run.
    process.stdout.write(
        `URN inventory: ${coverage.stacks} stacks, ${coverage.examples} examples, ${coverage.resources} resources that hold data\n`,
    );
});

/** Compares a run with its committed inventory, or records it when UPDATE_URN_INVENTORY=1. */
function checkInventory(
    file: string,
    source: string,
    registrations: Parameters<typeof urnInventory>[0],
) {
    const target = path.join(inventoryDir, file);
    const update = `re-record it: UPDATE_URN_INVENTORY=1 npx jest test/data-safety/urn-inventory.test.ts, then commit test/fixtures/urn-inventory/${file} with the change that explains it`;
    if (RECORD) {
        const recorded: InventoryFile = { source, resources: urnInventory(registrations) };
        fs.writeFileSync(target, `${JSON.stringify(recorded, null, 4)}\n`);
    }
    expect(fs.existsSync(target) ? [] : [`${target} is missing: ${update}`]).toEqual([]);
    const recorded = JSON.parse(fs.readFileSync(target, "utf8")) as InventoryFile;
    expect(recorded.source).toBe(source);
    expect(checkUrnInventory(recorded.resources, registrations, update)).toEqual([]);
    coverage.resources += recorded.resources.length;
}

test("every stack and example has an inventory, and no inventory outlives its stack or example", () => {
    expect(fs.readdirSync(inventoryDir).sort()).toEqual(
        [
            ...stacks.map((s) => `stack-${s}.json`),
            ...examples.map((e) => `example-${e}.json`),
        ].sort(),
    );
});

describe.each(stacks)("stack %s", (stack) => {
    test("keeps the URN of every resource that holds data", async () => {
        const result = await renderedStack(stack);
        checkInventory(`stack-${stack}.json`, `stacks/Pulumi.${stack}.yaml`, result.registrations);
        coverage.stacks += 1;
    });
});

describe.each(examples)("example %s", (example) => {
    test("keeps the URN of every resource that holds data", async () => {
        // Secure config values are placeholders; the rest comes from the example's defaults.
        const project = YAML.parse(
            fs.readFileSync(path.join(root, "examples", example, "Pulumi.yaml"), "utf8"),
        ) as { config?: Record<string, { secret?: boolean }> };
        const secretKeys = Object.entries(project.config ?? {})
            .filter(([, declaration]) => declaration.secret === true)
            .map(([key]) => `${example}:${key}`);
        const result = await runExample(
            example,
            Object.fromEntries(secretKeys.map((key) => [key, `[secret:${key}]`])),
            secretKeys,
        );
        checkInventory(
            `example-${example}.json`,
            `examples/${example}/index.ts`,
            result.registrations,
        );
        coverage.examples += 1;
    });
});

import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { KAAPANA_FACTS } from "../dags/kaapana-fixture";
import { temporaryFolders } from "../support/temporary";

/** Airflow 3 removals (test/fixtures/upstream/SOURCE.md: ruff's Airflow rules and Airflow's docs). */
const REMOVED: {
    items: Array<{ name: string; kind: string; rule: string; replacement: string | null }>;
} = JSON.parse(
    fs.readFileSync(path.join(__dirname, "../fixtures/upstream/airflow3-removed.json"), "utf8"),
);
/** Rules for what no longer works on Airflow 3; the others still work through a shim, deprecated. */
const BREAKING = new Set(["AIR301", "AIR302", "docs", "airflow-core"]);
const DEPRECATED = new Set(["AIR311", "AIR312", "AIR321", "airflow-shim"]);

const examples = path.join(__dirname, "../../examples");

interface FileFacts {
    imports: Array<{ name: string; line: number }>;
    calls: Array<{ callee: string | null; kwargs: string[]; line: number }>;
    keys: Array<{ key: string; line: number }>;
    strings: Array<{ text: string; line: number }>;
    subscripts: Array<{ key: string; line: number }>;
}

/** What python3's ast reads from each file. */
function pythonFacts(files: string[]): Record<string, FileFacts> {
    return JSON.parse(
        execFileSync("python3", [path.join(__dirname, "dag_facts.py"), ...files], {
            encoding: "utf8",
        }),
    );
}

/** A ruff match pattern as a regular expression: `**` any segments, `*` one, `{a,b}` either. */
function patternRegExp(pattern: string): RegExp {
    const body = pattern
        .split(".")
        .map((segment) =>
            segment === "**"
                ? "(?:[^.]+(?:\\.[^.]+)*)"
                : segment
                      .replace(/[.+?^$()|[\]\\]/g, "\\$&")
                      .replace(
                          /\{([^}]*)\}/g,
                          (_, options: string) => `(?:${options.split(",").join("|")})`,
                      )
                      .replace(/\*/g, "[^.]+"),
        )
        .join("\\.");
    return new RegExp(`^${body}$`);
}

/** One problem per removed import, argument or context key a file uses. */
function problems(file: string, facts: FileFacts, kaapanaTarget: boolean): string[] {
    const rules = kaapanaTarget ? BREAKING : new Set([...BREAKING, ...DEPRECATED]);
    const found: string[] = [];
    const at = (line: number, what: string, item: { rule: string; replacement: string | null }) =>
        found.push(
            `${file}:${line}: ${what} (${item.rule}${item.replacement ? `; use ${item.replacement}` : ""})`,
        );
    for (const item of REMOVED.items.filter((i) => rules.has(i.rule))) {
        if (item.kind === "import" && !item.name.includes(" ")) {
            const re = patternRegExp(item.name);
            for (const imp of facts.imports) {
                const parts = imp.name.split(".");
                // `from a.b import c` is a.b.c; a pattern for the module a.b matches it too.
                if (parts.some((_, i) => re.test(parts.slice(0, i + 1).join(".")))) {
                    at(imp.line, `imports ${imp.name}, removed as ${item.name}`, item);
                }
            }
        }
        const argument = /^([^(]+)\((\w+)=/.exec(item.name);
        if (item.kind === "argument" && argument) {
            const callees = argument[1].startsWith("<Operator")
                ? undefined
                : argument[1].split("/");
            if (callees !== undefined && callees.some((c) => c.startsWith("<"))) {
                continue;
            }
            const matchesCallee = (callee: string | null) =>
                callees === undefined ||
                (callee !== null &&
                    callees.some((c) => [c, c.toLowerCase()].includes(callee.split(".").pop()!)));
            for (const call of facts.calls) {
                if (matchesCallee(call.callee) && call.kwargs.includes(argument[2])) {
                    at(call.line, `${call.callee}(${argument[2]}=…)`, item);
                }
            }
            if (callees === undefined) {
                for (const key of facts.keys.filter((k) => k.key === argument[2])) {
                    at(key.line, `the argument ${argument[2]} in a dict (default_args)`, item);
                }
            }
        }
        if (item.kind === "context" && /^\w+$/.test(item.name)) {
            const inTemplate = new RegExp(`\\{\\{[^}]*\\b${item.name}\\b[^}]*\\}\\}`);
            for (const text of facts.strings.filter((s) => inTemplate.test(s.text))) {
                at(text.line, `the context key ${item.name} in a template`, item);
            }
            for (const key of facts.subscripts.filter((s) => s.key === item.name)) {
                at(key.line, `the context key ${item.name}`, item);
            }
        }
    }
    const kaapanaModules: string[] = KAAPANA_FACTS.airflow.kaapanaOperatorModules.modules;
    for (const imp of facts.imports.filter((i) => /^kaapana(\.|$)/.test(i.name))) {
        if (!kaapanaTarget) {
            found.push(
                `${file}:${imp.line}: imports ${imp.name}: kaapana.* exists only inside Kaapana; this platform's Airflow has no such package`,
            );
        } else if (!kaapanaModules.some((m) => imp.name === m || imp.name.startsWith(`${m}.`))) {
            found.push(
                `${file}:${imp.line}: imports ${imp.name}, not a module Kaapana 0.6.0 ships`,
            );
        }
    }
    return found;
}

/** Every Python file under a folder. */
function pythonFiles(dir: string): string[] {
    return (fs.readdirSync(dir, { recursive: true }) as string[])
        .filter((f) => f.endsWith(".py"))
        .map((f) => path.join(dir, f))
        .sort();
}

/** A file is a Kaapana-target example when it sits under a `kaapana/` folder of its example. */
function isKaapanaTarget(file: string): boolean {
    return path.relative(examples, file).split(path.sep).includes("kaapana");
}

describe("example DAGs", () => {
    const folder = temporaryFolders();
    const files = pythonFiles(examples);

    test("every Python file in examples/ parses, and the DAG files are found", () => {
        const facts = pythonFacts(files);
        const dags = files.filter((f) =>
            facts[f].imports.some((i) => i.name.startsWith("airflow.")),
        );
        expect(dags.map((f) => path.relative(examples, f))).toEqual([
            "otsus-method/extension/dags/dag_otsus_method.py",
            "otsus-method/kaapana/extension/dags/dag_otsus_method.py",
        ]);
    });

    test("use nothing Airflow 3 removed, and kaapana.* only in a Kaapana-target example", () => {
        const facts = pythonFacts(files);
        expect(
            files.flatMap((f) =>
                problems(path.relative(examples, f), facts[f], isKaapanaTarget(f)),
            ),
        ).toEqual([]);
    });

    test("the check finds each kind of removal, and kaapana.* outside a Kaapana-target example", () => {
        const dir = folder("dags");
        const file = path.join(dir, "dag.py");
        fs.writeFileSync(
            file,
            [
                "from airflow.models import DAG",
                "from airflow.utils.dates import days_ago",
                "from airflow.operators.dummy import DummyOperator",
                "from kaapana.operators.GetInputOperator import GetInputOperator",
                'dag = DAG(dag_id="x", schedule_interval=None, start_date=days_ago(1))',
                'DummyOperator(task_id="t", dag=dag, task_concurrency=1, bash_command="{{ execution_date }}")',
                "",
            ].join("\n"),
        );
        const facts = pythonFacts([file])[file];
        const platform = problems("dag.py", facts, false);
        expect(platform).toEqual(
            expect.arrayContaining([
                expect.stringMatching(
                    /^dag\.py:1: imports airflow\.models\.DAG, removed as airflow\.models\.DAG \(AIR311/,
                ),
                expect.stringMatching(
                    /^dag\.py:2: imports airflow\.utils\.dates\.days_ago.*\(AIR301/,
                ),
                expect.stringMatching(
                    /^dag\.py:3: imports airflow\.operators\.dummy\.DummyOperator.*\(AIR302/,
                ),
                "dag.py:4: imports kaapana.operators.GetInputOperator.GetInputOperator: kaapana.* exists only inside Kaapana; this platform's Airflow has no such package",
                "dag.py:5: DAG(schedule_interval=…) (AIR301; use schedule)",
                "dag.py:6: DummyOperator(task_concurrency=…) (AIR301; use max_active_tis_per_dag)",
                "dag.py:6: the context key execution_date in a template (AIR301; use logical_date)",
            ]),
        );
        const kaapana = problems("dag.py", facts, true);
        expect(kaapana.some((p) => p.includes("kaapana.operators"))).toBe(false);
        expect(kaapana.some((p) => p.includes("AIR311"))).toBe(false);
        expect(kaapana.some((p) => p.includes("days_ago"))).toBe(true);
    });
});

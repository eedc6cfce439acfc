import * as path from "path";
import { evaluateProgram } from "../../bin/render/load-program";

const programs = path.join(__dirname, "fixtures/programs");

describe("evaluateProgram", () => {
    test.each([
        [
            "named exports are the outputs",
            "named-exports.ts",
            { answer: 42, nested: { list: [1, 2] } },
        ],
        ["a default export is the result", "default-value.ts", { answer: 42 }],
    ])("%s", (_rule, file, expected) => {
        expect(evaluateProgram(path.join(programs, file))).toEqual(expected);
    });

    test.each([
        ["a function exported with `export =`", "export-function.ts"],
        ["a default export that is a function", "default-function.ts"],
    ])("calls %s on every evaluation", (_shape, file) => {
        const entry = path.join(programs, file);
        expect([evaluateProgram(entry), evaluateProgram(entry)]).toEqual([
            { answer: 42, calls: 1 },
            { answer: 42, calls: 2 },
        ]);
    });

    test("refuses to evaluate a top-level program again where the module registry keeps it (jest's)", () => {
        const entry = path.join(programs, "top-level.ts");
        expect(evaluateProgram(entry)).toEqual({ runs: 1 });
        expect(() => evaluateProgram(entry)).toThrow(
            new Error(
                `${entry}: its top-level code already ran in this module registry, which cannot run it again (jest keeps one instance per test file); export the program as a function (\`export = () => { …; return outputs; }\`) to evaluate it more than once`,
            ),
        );
    });
});

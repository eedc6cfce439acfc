import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cachedBy } from "../support/cached";

describe("cachedBy", () => {
    let tmp: string;
    beforeEach(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cached-by-"));
    });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    test("computes once for unchanged inputs, again when one changes, and keeps only the newest entry", () => {
        const input = path.join(tmp, "input.ts");
        const cache = path.join(tmp, "cache");
        fs.writeFileSync(input, "export const a = 1;\n");
        let runs = 0;
        const compute = () => ({ run: ++runs });
        expect(cachedBy("gen", [input], compute, cache)).toEqual({ run: 1 });
        expect(cachedBy("gen", [input], compute, cache)).toEqual({ run: 1 });
        fs.writeFileSync(input, "export const a = 2;\n");
        expect(cachedBy("gen", [input], compute, cache)).toEqual({ run: 2 });
        expect(fs.readdirSync(cache)).toHaveLength(1);
        expect(cachedBy("other", [input], compute, cache)).toEqual({ run: 3 });
        expect(fs.readdirSync(cache)).toHaveLength(2);
    });
});

import * as fs from "fs";
import * as path from "path";
import { cachedBy } from "../support/cached";
import { temporaryFolders } from "../support/temporary";

describe("cachedBy", () => {
    const folder = temporaryFolders();
    let tmp: string;
    beforeEach(() => {
        tmp = folder("cached-by");
    });

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

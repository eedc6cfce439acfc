// Run by determinism.test.ts in fresh processes: evaluates every component program, example and
// stack under the mock engine, as many times in a row as the argument says (default 1), and prints
// one JSON object mapping each program's name to the canonical registrations of the last pass
// (sorted lines of type, name, parent, inputs with sorted keys).
import { canonicalRegistrations } from "../../../components/testing";
import { freshSubjects } from "../subjects";

(async () => {
    const passes = Number(process.argv[2] ?? "1");
    let evaluated: Record<string, string[]> = {};
    for (let pass = 0; pass < passes; pass++) {
        evaluated = {};
        for (const subject of freshSubjects()) {
            evaluated[subject.name] = canonicalRegistrations((await subject.run()).registrations);
        }
    }
    // The process ends on its own once the pipe has taken all of it (the output exceeds one pipe buffer).
    process.stdout.write(`${JSON.stringify(evaluated)}\n`);
})().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
});

// Run by determinism.test.ts, twice, each time in a fresh process: evaluates every component program,
// example and stack under the mock engine and prints one JSON object mapping each program's name to
// its canonical registrations (sorted lines of type, name, parent, inputs with sorted keys).
import { canonicalRegistrations } from "../../../components/testing";
import { allSubjects } from "../subjects";

(async () => {
    const evaluated: Record<string, string[]> = {};
    for (const subject of allSubjects()) {
        evaluated[subject.name] = canonicalRegistrations((await subject.run()).registrations);
    }
    // The process ends on its own once the pipe has taken all of it (the output exceeds one pipe buffer).
    process.stdout.write(`${JSON.stringify(evaluated)}\n`);
})().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
});

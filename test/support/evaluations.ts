// Evaluations shared by the test files of one module registry: each stack is evaluated once and
// rendered once, and each guarantee program once, whichever of the leak, pod, RBAC, cold-start,
// data-safety and stack tests asks first (`npm test` loads them all into one registry, see
// test/suites/groups.js). Results are frozen: a test that changed one would change it for the others.
import * as path from "path";
import { readStackConfig, type RenderResult, type StackConfig } from "../../bin/render";
import {
    evaluateStack,
    renderEvaluation,
    type StackEvaluation,
} from "../../bin/render/render-stack";

export const ROOT = path.join(__dirname, "../..");

const evaluations = new Map<string, Promise<unknown>>();

/** The value `compute` resolves to, computed once per key and module registry, frozen. */
export function once<T>(key: string, compute: () => Promise<T>): Promise<T> {
    let evaluation = evaluations.get(key);
    if (evaluation === undefined) {
        evaluation = compute().then(deepFreeze);
        evaluations.set(key, evaluation);
    }
    return evaluation as Promise<T>;
}

/**
 * `compute`, started by the first call and shared by every later one. Work a describe block needs
 * starts when its first test asks, not while jest collects the tests: evaluations must not overlap
 * those of other files sharing the module registry (the engine's mocks are process-wide).
 */
export function lazy<T>(compute: () => Promise<T>): () => Promise<T> {
    let started: Promise<T> | undefined;
    return () => (started ??= compute());
}

/** A committed stack's config and its program's evaluation under the mock engine, as render runs it. */
export function evaluatedStack(
    stack: string,
): Promise<{ config: StackConfig; evaluation: StackEvaluation }> {
    return once(`evaluate stack ${stack}`, async () => {
        const config = readStackConfig(ROOT, stack);
        return { config, evaluation: await evaluateStack(config, stack) };
    });
}

/** What `renderStack({ stack, root })` returns for a committed stack. */
export function renderedStack(stack: string): Promise<RenderResult> {
    return once(`render stack ${stack}`, async () => {
        const { config, evaluation } = await evaluatedStack(stack);
        return renderEvaluation({ stack, root: ROOT }, config, evaluation);
    });
}

function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value)) {
        Object.freeze(value);
        for (const inner of Object.values(value)) {
            if (!Object.isFrozen(inner)) {
                deepFreeze(inner);
            }
        }
    }
    return value;
}

/**
 * The mock engine: runs Pulumi programs under runtime mocks, records every registration and
 * validates every Kubernetes object they describe. Used by the package's tests, by `render`, and by
 * users testing their own stacks.
 */
export {
    isSecretInput,
    runProgram,
    unwrapSecrets,
    ProgramError,
    type EngineOptions,
    type EngineResult,
    type Invocation,
    type InvokeMock,
    type Registration,
    type StateMock,
} from "./engine";
export { defaultState, fakeBytes } from "./default-state";
export {
    apiServerProblems,
    assertValidManifests,
    kubernetesManifests,
    manifestProblems,
    validateRegistrations,
    type Manifest,
    type ManifestProblem,
    type RecordedManifest,
} from "./manifests";
export {
    base64Forms,
    countsText,
    readStackConfig,
    redactPaths,
    renderStack,
    REDACTED,
    STACK_INVOKES,
    StackConfigError,
    type RenderedManifest,
    type RenderedRelease,
    type RenderOptions,
    type RenderResult,
    type StackConfig,
} from "./render";
export {
    findSentinels,
    generatedCredentials,
    type GeneratedCredential,
    type SentinelHit,
} from "./leaks";
export { canonicalRegistrations } from "./canonical";
export {
    podHardeningProblems,
    podSpecs,
    type FoundPodSpec,
    type HardeningProblem,
    type HardeningRule,
} from "./workloads";

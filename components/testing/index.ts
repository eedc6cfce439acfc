/**
 * The mock engine: runs Pulumi programs under runtime mocks, records every registration and
 * validates every Kubernetes object they describe. Used by the package's tests, by `render`
 * (`bin/render`), and by users testing their own stacks.
 */
export {
    isSecretInput,
    runProgram,
    ProgramError,
    type EngineOptions,
    type EngineResult,
    type Invocation,
    type InvokeMock,
    type RecordedAlias,
    type Registration,
    type StateMock,
} from "./engine";
export { defaultState } from "./default-state";
export {
    apiServerProblems,
    assertValidManifests,
    kubernetesManifests,
    manifestOf,
    validateRegistrations,
    type Manifest,
    type ManifestProblem,
    type RecordedManifest,
} from "./manifests";
export {
    base64Forms,
    findSentinels,
    generatedCredentials,
    type GeneratedCredential,
    type SentinelHit,
} from "./leaks";
export { canonicalRegistrations } from "./canonical";
export { aliasUrns, checkUrnInventory, urnInventory, type InventoryEntry } from "./urn-inventory";
export {
    HARDENING_EXCEPTIONS,
    indexedObjects,
    podHardeningProblems,
    podSpecs,
    unexcusedHardeningProblems,
    type FoundPodSpec,
    type HardeningException,
    type HardeningProblem,
    type HardeningRule,
} from "./workloads";
export {
    analyzeColdStart,
    applyGraph,
    orderText,
    prerequisitesText,
    type ApplyGraph,
    type ColdStartOptions,
    type ColdStartReport,
    type UsedPrerequisite,
    type WaveEntry,
} from "./cold-start";

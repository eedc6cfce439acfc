/**
 * Cold start, proven offline: the order `pulumi up` creates a recorded program's resources in on an
 * empty cluster, and whether every object comes after what it needs and names only what exists.
 */
export {
    analyzeColdStart,
    type ColdStartOptions,
    type ColdStartReport,
    type UsedPrerequisite,
    type WaveEntry,
} from "./analysis";
export { applyGraph, type ApplyGraph } from "./graph";
export { orderText, prerequisitesText } from "./files";

/**
 * `pipeline-platform/render`: the offline render of a Pulumi project's stack that the
 * `pipeline-platform render` command prints and writes, as a function for scripts and tests.
 */
export { renderStack, type RenderOptions, type RenderResult } from "./render-stack";
export type { RenderedManifest, RenderedRelease } from "./files";
export { readStackConfig, StackConfigError, type StackConfig } from "./stack-config";
export { STACK_INVOKES } from "./invokes";

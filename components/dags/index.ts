/**
 * DAG installation: the DagInstallerChart component (the bundled dag-installer chart or a user's),
 * and WorkflowExtension (processing images, the installer image and its chart in one declaration).
 */
export {
    DagInstallerChart,
    planDagInstallerChart,
    type DagInstallerAction,
    type DagInstallerChartArgs,
    type DagInstallerChartBuild,
    type DagInstallerChartPlan,
    type ResolvedChart,
} from "./dag-installer-chart";
export { DAG_INSTALLER_GUARDED_VALUES } from "./guarded-values";
export { deterministicTgz, readTgz, type ArchiveFile } from "./chart-archive";
export {
    KAAPANA,
    kaapanaGlobals,
    kaapanaImage,
    kaapanaPullSecretName,
    packageKaapanaChart,
    readKaapanaChart,
    writeKaapanaArchive,
    type InstallerTarget,
    type KaapanaChart,
    type KaapanaGlobals,
    type KaapanaRegistryPrefix,
    type KaapanaTarget,
    type PipelinePlatformTarget,
} from "./kaapana";
export {
    planWorkflowExtension,
    WorkflowExtension,
    type ExtensionImage,
    type ExtensionInstaller,
    type ExtensionRegistry,
    type InstallerFolder,
    type InstallerImage,
    type PlannedInstaller,
    type WorkflowExtensionArgs,
    type WorkflowExtensionBuild,
    type WorkflowExtensionPlan,
} from "./workflow-extension";

export {
    DagInstallerChart,
    type DagInstallerAction,
    type DagInstallerChartArgs,
} from "./dag-installer-chart";
export {
    WorkflowExtension,
    checkWorkflowExtensionArgs,
    type ExtensionImage,
    type ExtensionInstaller,
    type ExtensionRegistry,
    type WorkflowExtensionArgs,
} from "./workflow-extension";

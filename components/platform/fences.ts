import { closest } from "fastest-levenshtein";
import { AIRFLOW_CHART_PORTS, type Executor, type ResourceProfile } from "../airflow";
import { appendPath, invalidInput, joinPath, type Reporter } from "../core";
import { DEFAULT_GCR_URL, ecrHost, type RegistryLocation } from "../registry";
import type { PlannedStorage } from "../storage";
import {
    planProjectFence,
    type EgressDestination,
    type FencedService,
    type ProjectFenceArgs,
    type ProjectFencePlan,
} from "../tenancy";
import type { FenceConfig, FenceDestinationConfig, PipelineConfig, PlatformConfig } from "./config";

/** What the fences of every project namespace are derived from, besides the config itself. */
export interface FenceInputs {
    /** Project name to namespace. */
    projectNamespaces: Record<string, string>;
    airflowNamespace: string;
    executor: Executor;
    contourNamespace: string;
    storages: PlannedStorage[];
    registries: Array<{ name: string; location: RegistryLocation }>;
}

/** A project's fence, planned for the child `<platform>-fence-<namespace>`. */
export interface PlannedFence {
    namespace: string;
    plan: ProjectFencePlan;
}

/**
 * The fences of every project namespace: the platform's `fences` with the project's own `fence`
 * fields over them, the project's pipelines as the services Envoy reaches, Airflow's namespace
 * where the executor runs workers that talk across (KubernetesExecutor: the API server reads a
 * worker's log server; workers call the API server's execution API and StatsD), the run
 * configuration's profiles as task profiles. Each fence's refusals are reported through
 * `at(map)`, `map` naming the config paths (`config.…`) that set each side.
 */
export function planFences(
    name: string,
    config: PlatformConfig,
    inputs: FenceInputs,
    at: (map: (relative: string) => string) => Reporter,
): PlannedFence[] {
    const profiles = taskProfiles(config.airflow.runConfig?.resources ?? {});
    const shared = config.fences ?? {};
    return Object.entries(inputs.projectNamespaces).map(([project, namespace]) => {
        const projectPath = joinPath("config.projects", project);
        const own = config.projects[project].fence ?? {};
        const fence: FenceConfig = { ...shared, ...own };
        const from = (field: keyof FenceConfig) =>
            field in own
                ? joinPath(joinPath(projectPath, "fence"), field)
                : joinPath("config.fences", field);
        const { services, servicePaths } = pipelineServices(config.pipelines ?? [], namespace);
        const egress = fence.egress ?? {};
        const args: ProjectFenceArgs = {
            namespace,
            services,
            ingressController: {
                namespace: inputs.contourNamespace,
                podSelector: fence.ingressPodSelector,
                ports: fence.ingressPorts,
            },
            airflow:
                inputs.executor === "KubernetesExecutor"
                    ? {
                          namespace: inputs.airflowNamespace,
                          ingress: [{ port: AIRFLOW_CHART_PORTS.workerLogs }],
                          egress: [
                              { port: AIRFLOW_CHART_PORTS.apiServer },
                              { port: AIRFLOW_CHART_PORTS.statsdIngest, protocol: "UDP" },
                          ],
                      }
                    : undefined,
            sameNamespace: fence.sameNamespace,
            egress: {
                ...egress,
                to: egress.to?.map((destination, i) =>
                    destinationArgs(
                        destination,
                        joinPath(joinPath(from("egress"), "to"), i),
                        inputs,
                    ),
                ),
            },
            taskProfiles: profiles,
            limits: fence.limits,
            quota: fence.quota,
        };
        const paths: Record<string, string> = {
            namespace: joinPath(projectPath, "namespace"),
            "ingressController.ports": from("ingressPorts"),
            "ingressController.podSelector": from("ingressPodSelector"),
            "ingressController.namespace": "config.contour.namespace",
            airflow: "config.airflow.executor",
            sameNamespace: from("sameNamespace"),
            egress: from("egress"),
            taskProfiles: "config.airflow.runConfig.resources",
            limits: from("limits"),
            quota: from("quota"),
        };
        const reporter = at((relative) => {
            const service = /^services\[(\d+)\](.*)$/.exec(relative);
            if (service) {
                return appendPath(servicePaths[Number(service[1])], service[2].replace(/^\./, ""));
            }
            const prefix = Object.keys(paths)
                .filter(
                    (p) =>
                        relative === p ||
                        relative.startsWith(`${p}.`) ||
                        relative.startsWith(`${p}[`),
                )
                .sort((a, b) => b.length - a.length)[0];
            return prefix === undefined
                ? appendPath("config", relative)
                : `${paths[prefix]}${endpointField(relative.slice(prefix.length), fence)}`;
        });
        return { namespace, plan: planProjectFence(`${name}-fence-${namespace}`, args, reporter) };
    });
}

/** A destination's `endpoint` stands for the `storage` or `registry` the config named. */
function endpointField(rest: string, fence: FenceConfig): string {
    const match = /^\.to\[(\d+)\]\.endpoint$/.exec(rest);
    if (!match) {
        return rest;
    }
    const destination = fence.egress?.to?.[Number(match[1])];
    return destination && "storage" in destination
        ? `.to[${match[1]}].storage`
        : destination && "registry" in destination
          ? `.to[${match[1]}].registry`
          : rest;
}

/** The Services of a project's pipelines Envoy routes to, with the config path of each. */
function pipelineServices(
    pipelines: PipelineConfig[],
    namespace: string,
): { services: FencedService[]; servicePaths: string[] } {
    const services: FencedService[] = [];
    const servicePaths: string[] = [];
    pipelines.forEach((pipeline, i) => {
        if (pipeline.namespace !== namespace) {
            return;
        }
        const path = joinPath("config.pipelines", i);
        services.push({
            service: pipeline.service,
            port: pipeline.port,
            ...(pipeline.targetPort !== undefined ? { targetPort: pipeline.targetPort } : {}),
        });
        servicePaths.push(path);
        (pipeline.tasks ?? []).forEach((task, j) => {
            services.push({ service: task.service, port: task.port });
            servicePaths.push(joinPath(joinPath(path, "tasks"), j));
        });
    });
    return { services, servicePaths };
}

/** The run configuration's profiles as the fence reads them: container requests and limits. */
function taskProfiles(
    resources: Record<string, ResourceProfile>,
): ProjectFenceArgs["taskProfiles"] {
    return Object.fromEntries(
        Object.entries(resources).map(([profile, { requests, limits }]) => [
            profile,
            {
                ...(requests !== undefined ? { requests } : {}),
                ...(limits !== undefined ? { limits } : {}),
            },
        ]),
    );
}

/** A storage or registry named in the config becomes its endpoint; other destinations pass. */
function destinationArgs(
    destination: FenceDestinationConfig,
    path: string,
    inputs: FenceInputs,
): EgressDestination {
    if ("storage" in destination) {
        const { storage, ...rest } = destination;
        const found = inputs.storages.find((s) => s.name === storage);
        if (found === undefined) {
            return invalidInput({
                path: joinPath(path, "storage"),
                given: storage,
                expected: `a storage of storage.storages (${inputs.storages.map((s) => s.name).join(", ")})`,
                example: closest(
                    storage,
                    inputs.storages.map((s) => s.name),
                ),
            });
        }
        return { endpoint: found.endpoint.endpoint, ...rest };
    }
    if ("registry" in destination) {
        const { registry, ...rest } = destination;
        const found = inputs.registries.find((r) => r.name === registry);
        if (found === undefined) {
            return invalidInput({
                path: joinPath(path, "registry"),
                given: registry,
                expected: `a registry of registries (${inputs.registries.map((r) => r.name).join(", ")})`,
                example: closest(
                    registry,
                    inputs.registries.map((r) => r.name),
                ),
            });
        }
        return { endpoint: registryUrl(found.location), ...rest };
    }
    return destination;
}

/** Where a registry is reached, as a URL. */
function registryUrl(location: RegistryLocation): string {
    switch (location.location) {
        case "off-cluster":
            return location.url;
        case "gcr":
            return location.url ?? DEFAULT_GCR_URL;
        case "ecr":
            return `https://${ecrHost(location.registryId ?? "account", location.region)}`;
    }
}

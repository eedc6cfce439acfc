import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
    dns1123LabelProblems,
    dns1123SubdomainProblems,
    dnsLabel,
    invalidInput,
    joinPath,
    labelValueProblems,
    qualifiedNameProblems,
    standardLabels,
} from "../core";
import { domainConfigFor, pipelineHostname, selectDomainSuffix, type DomainConfig } from "./domain";

/** A route from `/<task>` on the pipeline's hostname to a task's service. */
export interface TaskRoute {
    /**
     * Task name; the route matches the path prefix `/<task>`.
     * @example "otsu"
     */
    task: string;
    /** Service name in the pipeline's namespace. @example "otsu-task" */
    service: string;
    /** Service port. @example 8080 */
    port: number;
    /**
     * When set, the `/<task>` prefix is replaced by this path before the request reaches the service
     * (Contour `pathRewritePolicy.replacePrefix`). Default: the path is passed unchanged.
     * @example "/"
     */
    replacePrefix?: string;
}

/** Route timeouts, as Contour durations (`30s`, `1m30s`, `infinity`). */
export interface RouteTimeouts {
    /** Time to wait for a complete response. @example "60s" */
    response?: string;
    /** Time a keep-alive stream may stay idle. @example "5m" */
    idle?: string;
}

/** TLS for the virtual host: an existing certificate Secret, or one cert-manager issues. */
export type PipelineTls =
    { secretName: string; clusterIssuer?: never } | { clusterIssuer: string; secretName?: never };

export interface PipelineIngressArgs {
    /** Pipeline name, the first label of the hostname. @example "otsu" */
    pipeline: string;
    /** Namespace of the pipeline and its services; the HTTPProxy is created there. @example "imaging" */
    namespace: string;
    /**
     * Labels of the pipeline, matched against the domain selectors. Default none (the default suffix).
     * @example { app: "prod" }
     */
    labels?: Record<string, string>;
    /**
     * Platform-wide domain suffixes (Koalja's `koalja-system` domain config).
     * @example { "example.org": { selector: { app: "prod" } }, "example.com": {} }
     */
    domains: DomainConfig;
    /**
     * Domain configs by namespace; the pipeline namespace's entry replaces `domains` (never merged).
     * Default none.
     * @example { imaging: { "imaging.example.com": {} } }
     */
    namespaceDomains?: Record<string, DomainConfig>;
    /** The pipeline's service, served on `/` with websockets. @example { name: "otsu-frontend", port: 80 } */
    service: { name: string; port: number };
    /** Per-task routes. Default none. */
    tasks?: TaskRoute[];
    /** Timeouts for every route. Default: Contour's defaults. */
    timeouts?: RouteTimeouts;
    /**
     * TLS from a Secret (`{ secretName }`) or a cert-manager Certificate (`{ clusterIssuer }`).
     * Default: plain HTTP.
     * @example { clusterIssuer: "letsencrypt" }
     */
    tls?: PipelineTls;
    /**
     * IngressClass of the Contour that serves the proxy; Contour ignores proxies of another class.
     * Default: unset (served by a Contour without class).
     * @example contour.ingressClassName
     */
    ingressClassName?: pulumi.Input<string>;
}

/** The HTTPProxy becomes ready only when Contour has accepted it (`status.currentStatus: valid`). */
export const WAIT_FOR_VALID = "jsonpath={.status.currentStatus}=valid";

/**
 * One Contour HTTPProxy for one pipeline: `<pipeline>.<namespace>.<suffix>` with `/` to the pipeline
 * service (websockets on), optional task routes and TLS. `pulumi up` waits until Contour reports the
 * proxy valid. Two pipelines with the same hostname (ignoring case) in one program are an input error.
 */
export class PipelineIngress extends pulumi.ComponentResource {
    /** The pipeline's hostname. */
    public readonly fqdn: pulumi.Output<string>;
    /** `https://<fqdn>` with TLS, `http://<fqdn>` without. */
    public readonly url: pulumi.Output<string>;
    /** Name of the HTTPProxy object. */
    public readonly proxyName: pulumi.Output<string>;

    constructor(name: string, args: PipelineIngressArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-platform:ingress:PipelineIngress", name, {}, opts);
        const fqdn = pipelineFqdn(args);
        validatePipelineIngress(args);
        claimHostname(fqdn, args.pipeline, args.namespace);

        const labels = standardLabels("ingress");
        const proxyName = dnsLabel(args.pipeline);
        let tlsSecretName = args.tls?.secretName;
        const dependsOn: pulumi.Resource[] = [];
        if (args.tls?.clusterIssuer !== undefined) {
            tlsSecretName = dnsLabel(`${proxyName}-tls`);
            dependsOn.push(
                new k8s.apiextensions.CustomResource(
                    `${name}-certificate`,
                    {
                        apiVersion: "cert-manager.io/v1",
                        kind: "Certificate",
                        metadata: { name: tlsSecretName, namespace: args.namespace, labels },
                        spec: certificateSpec(fqdn, tlsSecretName, args.tls.clusterIssuer),
                    },
                    { parent: this },
                ),
            );
        }
        const proxy = new k8s.apiextensions.CustomResource(
            `${name}-proxy`,
            {
                apiVersion: "projectcontour.io/v1",
                kind: "HTTPProxy",
                metadata: {
                    name: proxyName,
                    namespace: args.namespace,
                    labels,
                    annotations: { "pulumi.com/waitFor": WAIT_FOR_VALID },
                },
                spec: {
                    ...(args.ingressClassName !== undefined
                        ? { ingressClassName: args.ingressClassName }
                        : {}),
                    ...httpProxySpec(fqdn, args, tlsSecretName),
                },
            },
            { parent: this, dependsOn },
        );

        this.fqdn = pulumi.output(fqdn);
        this.url = pulumi.output(`${args.tls ? "https" : "http"}://${fqdn}`);
        this.proxyName = proxy.metadata.name;
        this.registerOutputs({ fqdn: this.fqdn, url: this.url, proxyName: this.proxyName });
    }
}

/** The pipeline's hostname from its labels and the domain config that applies in its namespace. */
export function pipelineFqdn(
    args: Pick<
        PipelineIngressArgs,
        "pipeline" | "namespace" | "labels" | "domains" | "namespaceDomains"
    >,
): string {
    const inNamespace =
        args.namespaceDomains !== undefined &&
        Object.prototype.hasOwnProperty.call(args.namespaceDomains, args.namespace);
    const domains = domainConfigFor(args.namespace, args.domains, args.namespaceDomains);
    const path = inNamespace ? joinPath("namespaceDomains", args.namespace) : "domains";
    for (const [key, value] of Object.entries(args.labels ?? {})) {
        if (qualifiedNameProblems(key).length > 0 || labelValueProblems(value).length > 0) {
            invalidInput({
                path: joinPath("labels", key),
                given: { [key]: value },
                expected: "a Kubernetes label (qualified key, label value)",
                example: `{ app: "prod" }`,
            });
        }
    }
    const suffix = selectDomainSuffix(args.labels ?? {}, domains, path);
    return pipelineHostname(args.pipeline, args.namespace, suffix);
}

const DURATION =
    /^(((\d*(\.\d*)?h)|(\d*(\.\d*)?m)|(\d*(\.\d*)?s)|(\d*(\.\d*)?ms)|(\d*(\.\d*)?us)|(\d*(\.\d*)?µs)|(\d*(\.\d*)?ns))+|infinity|infinite)$/u;
const PATH_SEGMENT = /^[A-Za-z0-9._~-]+$/;

/** Checks every argument besides the hostname; throws `InputPropertyError` on the first bad one. */
export function validatePipelineIngress(args: PipelineIngressArgs): void {
    const namespaceProblems = dns1123LabelProblems(args.namespace);
    if (namespaceProblems.length > 0) {
        invalidInput({
            path: "namespace",
            given: args.namespace,
            expected: `a namespace name that ${namespaceProblems.join(" and ")}`,
            example: "imaging",
        });
    }
    validateBackend("service", args.service?.name, args.service?.port);
    const seen = new Set<string>();
    (args.tasks ?? []).forEach((route, i) => {
        const path = joinPath("tasks", i);
        if (typeof route.task !== "string" || !PATH_SEGMENT.test(route.task)) {
            invalidInput({
                path: `${path}.task`,
                given: route.task,
                expected:
                    "a task name usable as one URL path segment (letters, digits, '.', '_', '~', '-')",
                example: "otsu",
            });
        }
        if (seen.has(route.task)) {
            invalidInput({
                path: `${path}.task`,
                given: route.task,
                expected: "each task routed once",
                example: "otsu",
            });
        }
        seen.add(route.task);
        validateBackend(path, route.service, route.port);
        if (route.replacePrefix !== undefined && !/^\/[^\s]*$/.test(route.replacePrefix)) {
            invalidInput({
                path: `${path}.replacePrefix`,
                given: route.replacePrefix,
                expected: "a path starting with '/'",
                example: "/",
            });
        }
    });
    for (const key of ["response", "idle"] as const) {
        const value = args.timeouts?.[key];
        if (value !== undefined && !DURATION.test(value)) {
            invalidInput({
                path: `timeouts.${key}`,
                given: value,
                expected: "a Contour duration (number with h, m, s, ms, us or ns) or infinity",
                example: "60s",
            });
        }
    }
    if (args.tls !== undefined) {
        const { secretName, clusterIssuer } = args.tls;
        if ((secretName === undefined) === (clusterIssuer === undefined)) {
            invalidInput({
                path: "tls",
                given: args.tls,
                expected:
                    "exactly one of tls.secretName (an existing certificate) and tls.clusterIssuer (cert-manager issues one)",
                example: `{ clusterIssuer: "letsencrypt" }`,
            });
        }
        const [key, value] =
            secretName !== undefined
                ? ["secretName", secretName]
                : ["clusterIssuer", clusterIssuer as string];
        const problems = dns1123SubdomainProblems(value);
        if (problems.length > 0) {
            invalidInput({
                path: `tls.${key}`,
                given: value,
                expected: `an object name that ${problems.join(" and ")}`,
                example: key === "secretName" ? "otsu-tls" : "letsencrypt",
            });
        }
    }
}

function validateBackend(
    path: string,
    service: string | undefined,
    port: number | undefined,
): void {
    const problems =
        typeof service === "string" ? dns1123LabelProblems(service) : ["must be a string"];
    if (problems.length > 0) {
        invalidInput({
            path: `${path}.${path === "service" ? "name" : "service"}`,
            given: service,
            expected: `a Service name that ${problems.join(" and ")}`,
            example: "otsu-frontend",
        });
    }
    if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
        invalidInput({
            path: `${path}.port`,
            given: port,
            expected: "a port number from 1 to 65535",
            example: "8080",
        });
    }
}

/**
 * The HTTPProxy spec without its class: `/` to the pipeline service with websockets, then one route
 * per task.
 */
export function httpProxySpec(
    fqdn: string,
    args: PipelineIngressArgs,
    tlsSecretName: string | undefined,
): Record<string, unknown> {
    const timeoutPolicy =
        args.timeouts && (args.timeouts.response !== undefined || args.timeouts.idle !== undefined)
            ? {
                  ...(args.timeouts.response !== undefined
                      ? { response: args.timeouts.response }
                      : {}),
                  ...(args.timeouts.idle !== undefined ? { idle: args.timeouts.idle } : {}),
              }
            : undefined;
    const routes: Record<string, unknown>[] = [
        {
            conditions: [{ prefix: "/" }],
            services: [{ name: args.service.name, port: args.service.port }],
            enableWebsockets: true,
            ...(timeoutPolicy ? { timeoutPolicy } : {}),
        },
        ...(args.tasks ?? []).map((route) => ({
            conditions: [{ prefix: `/${route.task}` }],
            services: [{ name: route.service, port: route.port }],
            ...(route.replacePrefix !== undefined
                ? {
                      pathRewritePolicy: {
                          replacePrefix: [
                              { prefix: `/${route.task}`, replacement: route.replacePrefix },
                          ],
                      },
                  }
                : {}),
            ...(timeoutPolicy ? { timeoutPolicy } : {}),
        })),
    ];
    return {
        virtualhost: {
            fqdn,
            ...(tlsSecretName !== undefined ? { tls: { secretName: tlsSecretName } } : {}),
        },
        routes,
    };
}

/** The cert-manager Certificate spec for the pipeline's hostname. */
export function certificateSpec(
    fqdn: string,
    secretName: string,
    clusterIssuer: string,
): Record<string, unknown> {
    return {
        secretName,
        dnsNames: [fqdn],
        issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: clusterIssuer },
    };
}

interface Claim {
    pipeline: string;
    namespace: string;
}

/**
 * Hostnames claimed in the running program. Keyed by the resource monitor, which is one object per
 * program run (a new one per `setMocks` in tests), so runs never see each other's claims.
 */
const claims = new WeakMap<object, Map<string, Claim>>();
const NO_MONITOR = {};

/**
 * Records that `pipeline` serves `fqdn`; throws when another pipeline in this program already does,
 * since Contour marks both proxies invalid and serves neither.
 */
function claimHostname(fqdn: string, pipeline: string, namespace: string): void {
    const monitor = (pulumi.runtime.getMonitor() as object | undefined) ?? NO_MONITOR;
    let byHost = claims.get(monitor);
    if (!byHost) {
        byHost = new Map();
        claims.set(monitor, byHost);
    }
    const key = fqdn.toLowerCase();
    const other = byHost.get(key);
    if (other) {
        invalidInput({
            path: "pipeline",
            given: pipeline,
            expected: `a hostname no other pipeline uses: pipeline ${JSON.stringify(pipeline)} in namespace ${JSON.stringify(namespace)} and pipeline ${JSON.stringify(other.pipeline)} in namespace ${JSON.stringify(other.namespace)} both resolve to ${JSON.stringify(key)}, and Contour would mark both proxies invalid`,
            example: "a different pipeline name, namespace or domain selector",
        });
    }
    byHost.set(key, { pipeline, namespace });
}

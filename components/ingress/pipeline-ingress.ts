import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
    dnsLabel,
    invalidInput,
    joinPath,
    planComponent,
    refusal,
    reported,
    standardLabels,
    usePlan,
    type Duration,
    type Labels,
    type NamespaceName,
    type ObjectName,
    type Planned,
    type Reporter,
    type SecretName,
} from "../core";
import type { IngressClassName } from "./contour-ingress";
import { checkDefaultDomain, hostname, selectSuffix, type DomainConfig } from "./domain";

/**
 * A port of a Service.
 * @asType integer
 * @minimum 1
 * @maximum 65535
 * @example 8080
 */
export type ServicePort = number;

/**
 * A route timeout: a duration, or `infinity` (also spelt `infinite`) for none.
 * @example "60s"
 */
export type RouteTimeout = Duration | "infinity" | "infinite";

/**
 * The name of a cert-manager ClusterIssuer: a DNS-1123 subdomain.
 * @format dns-subdomain
 * @example "letsencrypt"
 */
export type ClusterIssuerName = string;

/** A route from `/<task>` on the pipeline's hostname to a task's service. */
export interface TaskRoute {
    /**
     * A task name usable as one URL path segment (letters, digits, '.', '_', '~', '-'); the route
     * matches the path prefix `/<task>`.
     * @pattern ^[A-Za-z0-9._~-]+$
     * @example "otsu"
     */
    task: string;
    /**
     * Service name in the pipeline's namespace.
     * @example "otsu-task"
     */
    service: ObjectName;
    /**
     * Service port.
     * @example 8080
     */
    port: ServicePort;
    /**
     * A path starting with '/'; it replaces the `/<task>` prefix before the request reaches the
     * service (Contour `pathRewritePolicy.replacePrefix`). Default: the path is passed unchanged.
     * @pattern ^/[^ ]*$
     * @example "/"
     */
    replacePrefix?: string;
}

/** Route timeouts. Default: Contour's. */
export interface RouteTimeouts {
    /**
     * Time to wait for a complete response.
     * @example "60s"
     */
    response?: RouteTimeout;
    /**
     * Time a keep-alive stream may stay idle.
     * @example "5m"
     */
    idle?: RouteTimeout;
}

/**
 * TLS for the virtual host: an existing certificate Secret, or one cert-manager issues.
 * @example { clusterIssuer: "letsencrypt" }
 */
export type PipelineTls =
    | {
          /**
           * An existing `kubernetes.io/tls` Secret in the pipeline's namespace.
           * @example "otsu-tls"
           */
          secretName: SecretName;
          clusterIssuer?: never;
      }
    | {
          /**
           * The ClusterIssuer cert-manager issues the certificate from, into `<pipeline>-tls`.
           * @example "letsencrypt"
           */
          clusterIssuer: ClusterIssuerName;
          secretName?: never;
      };

/** The pipeline's own Service, served on `/` with websockets. */
export interface PipelineService {
    /**
     * Service name in the pipeline's namespace.
     * @example "otsu-frontend"
     */
    name: ObjectName;
    /**
     * Service port.
     * @example 80
     */
    port: ServicePort;
}

export interface PipelineIngressArgs {
    /**
     * Pipeline name: the first label of the hostname and the HTTPProxy's name.
     * @example "otsu"
     */
    pipeline: ObjectName;
    /**
     * Namespace of the pipeline and its services; the HTTPProxy is created there.
     * @example "imaging"
     */
    namespace: NamespaceName;
    /**
     * Labels of the pipeline, matched against the domain selectors. Default none (the default suffix).
     * @example { app: "prod" }
     */
    labels?: Labels;
    /**
     * Platform-wide domain suffixes (Koalja's `koalja-system` domain config).
     * @example { "example.org": { selector: { app: "prod" } }, "example.com": {} }
     */
    domains: DomainConfig;
    /**
     * Domain configs by namespace; the pipeline namespace's entry replaces `domains` (never merged).
     * Default none.
     * @propertyNames { "format": "dns-label" }
     * @example { imaging: { "imaging.example.com": {} } }
     */
    namespaceDomains?: Record<string, DomainConfig>;
    /**
     * The pipeline's service, served on `/` with websockets.
     * @example { name: "otsu-frontend", port: 80 }
     */
    service: PipelineService;
    /**
     * Per-task routes. Default none.
     * @example [{ task: "threshold", service: "otsu-threshold", port: 8080 }]
     */
    tasks?: TaskRoute[];
    /**
     * Timeouts for every route. Default: Contour's defaults.
     * @example { response: "60s" }
     */
    timeouts?: RouteTimeouts;
    /**
     * TLS from a Secret (`{ secretName }`) or a cert-manager Certificate (`{ clusterIssuer }`).
     * Default: plain HTTP.
     * @example { clusterIssuer: "letsencrypt" }
     */
    tls?: PipelineTls;
    /**
     * IngressClass of the Contour that serves the proxy (a `ContourIngress`'s `ingressClassName`);
     * Contour ignores proxies of another class. Default: unset (served by a Contour without class).
     * @example "contour"
     */
    ingressClassName?: pulumi.Input<IngressClassName>;
}

/** What a PipelineIngress builds: the checked args, the hostname and the specs of its objects. */
export interface PipelineIngressBuild {
    args: PipelineIngressArgs;
    /** Reports refusals found after planning (a hostname another pipeline of the program has). */
    reporter: Reporter;
    /** `<pipeline>.<namespace>.<suffix>`, lower case. */
    fqdn: string;
    url: string;
    proxyName: string;
    /** The HTTPProxy spec without its class. */
    proxySpec: Record<string, unknown>;
    /** The cert-manager Certificate (name and spec) when a `clusterIssuer` issues the TLS Secret. */
    certificate?: { name: string; spec: Record<string, unknown> };
}

/** A PipelineIngress's validated input; see {@link planPipelineIngress}. */
export type PipelineIngressPlan = Planned<"PipelineIngress", PipelineIngressBuild>;

/** The HTTPProxy becomes ready only when Contour has accepted it (`status.currentStatus: valid`). */
const WAIT_FOR_VALID = "jsonpath={.status.currentStatus}=valid";

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

    constructor(
        name: string,
        args: PipelineIngressArgs | PipelineIngressPlan,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        const plan = usePlan("PipelineIngress", name, args, planPipelineIngress);
        claimHostname(programClaims(), plan);
        super("pipeline-platform:ingress:PipelineIngress", name, {}, opts);
        const { args: checked, certificate } = plan;

        const labels = standardLabels("ingress");
        const dependsOn: pulumi.Resource[] = [];
        if (certificate !== undefined) {
            dependsOn.push(
                new k8s.apiextensions.CustomResource(
                    `${name}-certificate`,
                    {
                        apiVersion: "cert-manager.io/v1",
                        kind: "Certificate",
                        metadata: { name: certificate.name, namespace: checked.namespace, labels },
                        spec: certificate.spec,
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
                    name: plan.proxyName,
                    namespace: checked.namespace,
                    labels,
                    annotations: { "pulumi.com/waitFor": WAIT_FOR_VALID },
                },
                spec: {
                    ...(checked.ingressClassName !== undefined
                        ? { ingressClassName: checked.ingressClassName }
                        : {}),
                    ...plan.proxySpec,
                },
            },
            { parent: this, dependsOn },
        );

        this.fqdn = pulumi.output(plan.fqdn);
        this.url = pulumi.output(plan.url);
        this.proxyName = proxy.metadata.name;
        this.registerOutputs({ fqdn: this.fqdn, url: this.url, proxyName: this.proxyName });
    }
}

/**
 * Checks a PipelineIngress's args without creating anything (routes, TLS, the domain configs, the
 * hostname they give) and returns the plan its constructor builds from. Whether another pipeline
 * has the same hostname is checked by {@link checkHostnames}, and by the constructor for the
 * pipelines of one program.
 */
export function planPipelineIngress(
    name: string,
    args: PipelineIngressArgs,
    reporter?: Reporter,
): PipelineIngressPlan {
    return planComponent(
        "PipelineIngress",
        "PipelineIngressArgs",
        name,
        args,
        (checked: PipelineIngressArgs, reported: Reporter) => {
            checkDefaultDomain(checked.domains, "domains");
            for (const [namespace, domains] of Object.entries(checked.namespaceDomains ?? {})) {
                checkDefaultDomain(domains, joinPath("namespaceDomains", namespace));
            }
            const seen = new Set<string>();
            (checked.tasks ?? []).forEach((route, i) => {
                if (seen.has(route.task)) {
                    invalidInput({
                        path: joinPath(joinPath("tasks", i), "task"),
                        given: route.task,
                        expected: "each task routed once",
                        example: "otsu",
                    });
                }
                seen.add(route.task);
            });
            const fqdn = pipelineFqdn(checked);
            const proxyName = checked.pipeline;
            const tls = checked.tls;
            let tlsSecretName = tls?.secretName;
            let certificate: PipelineIngressBuild["certificate"];
            if (tls?.clusterIssuer !== undefined) {
                tlsSecretName = dnsLabel(`${proxyName}-tls`);
                certificate = {
                    name: tlsSecretName,
                    spec: certificateSpec(fqdn, tlsSecretName, tls.clusterIssuer),
                };
            }
            return {
                args: checked,
                reporter: reported,
                fqdn,
                url: `${tls ? "https" : "http"}://${fqdn}`,
                proxyName,
                proxySpec: httpProxySpec(fqdn, checked, tlsSecretName),
                certificate,
            };
        },
        reporter,
    );
}

/**
 * Refuses a pipeline whose hostname an earlier one in `plans` has: Contour would mark both proxies
 * invalid and serve neither. The refusal is reported by the later pipeline's plan, at `pipeline`.
 */
export function checkHostnames(plans: readonly PipelineIngressPlan[]): void {
    const byHost = new Map<string, PipelineIngressBuild>();
    for (const { plan } of plans) {
        claimHostname(byHost, plan);
    }
}

/** The pipeline's hostname from its labels and the domain config that applies in its namespace. */
function pipelineFqdn(args: PipelineIngressArgs): string {
    const own = args.namespaceDomains;
    const domains =
        own !== undefined && Object.prototype.hasOwnProperty.call(own, args.namespace)
            ? own[args.namespace]
            : args.domains;
    return hostname(
        args.pipeline,
        args.namespace,
        selectSuffix(args.labels ?? {}, domains),
        "pipeline",
    );
}

/**
 * The HTTPProxy spec without its class: `/` to the pipeline service with websockets, then one route
 * per task.
 */
function httpProxySpec(
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
function certificateSpec(
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

/**
 * Records that `plan`'s pipeline serves its hostname; refuses it when another pipeline in `byHost`
 * already does. Claiming the same plan twice is no collision.
 */
function claimHostname(
    byHost: Map<string, PipelineIngressBuild>,
    plan: PipelineIngressBuild,
): void {
    const other = byHost.get(plan.fqdn);
    if (other !== undefined && other !== plan) {
        const pipeline = plan.args.pipeline;
        throw reported(
            plan.reporter,
            refusal({
                path: "pipeline",
                given: pipeline,
                expected: `a hostname no other pipeline has: pipeline ${JSON.stringify(other.args.pipeline)} in namespace ${JSON.stringify(other.args.namespace)} already has ${plan.fqdn}, and Contour would mark both proxies invalid`,
                example: `${pipeline.slice(0, 61)}-2`,
            }),
        );
    }
    byHost.set(plan.fqdn, plan);
}

/**
 * Hostnames claimed in the running program. Keyed by the resource monitor, which is one object per
 * program run (a new one per `setMocks` in tests), so runs never see each other's claims.
 */
const claims = new WeakMap<object, Map<string, PipelineIngressBuild>>();
const NO_MONITOR = {};

function programClaims(): Map<string, PipelineIngressBuild> {
    const monitor = (pulumi.runtime.getMonitor() as object | undefined) ?? NO_MONITOR;
    let byHost = claims.get(monitor);
    if (!byHost) {
        byHost = new Map();
        claims.set(monitor, byHost);
    }
    return byHost;
}

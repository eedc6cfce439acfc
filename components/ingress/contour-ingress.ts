import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
    invalidInput,
    planComponent,
    standardLabels,
    usePlan,
    type NamespaceName,
    type Planned,
    type Reporter,
} from "../core";

/** The projectcontour Helm chart (not Bitnami's), pinned: chart 0.7.0 ships Contour 1.33.6. */
export const CONTOUR_CHART = {
    repo: "https://projectcontour.github.io/helm-charts",
    chart: "contour",
    version: "0.7.0",
} as const;

/**
 * The IngressClass controller string. Contour selects objects by class *name* (its
 * `--ingress-class-name` flag); this string is the conventional value from Contour's documentation.
 */
const CONTOUR_CONTROLLER = "projectcontour.io/ingress-controller";

/**
 * The name of an IngressClass: a DNS-1123 subdomain.
 * @format dns-subdomain
 * @example "contour"
 */
export type IngressClassName = string;

export interface ContourIngressArgs {
    /**
     * Adopt a Contour that is already installed: nothing is created, only the class name is exposed.
     * Default false.
     * @example true
     */
    existing?: boolean;
    /**
     * The IngressClass Contour serves; every `PipelineIngress` sets it as `spec.ingressClassName`.
     * Default `contour`.
     * @example "contour-internal"
     */
    ingressClassName?: IngressClassName;
    /**
     * Namespace Contour and Envoy run in (created unless `existing`). Default `projectcontour`.
     * @example "projectcontour"
     */
    namespace?: NamespaceName;
    /**
     * Namespaces in which Contour accepts root HTTPProxies (Contour's `--root-namespaces`). Default:
     * all namespaces. Not allowed with `existing`, which installs nothing to pass it to.
     * @uniqueItems true
     * @example ["imaging", "genomics"]
     */
    rootNamespaces?: NamespaceName[];
}

/** What a ContourIngress builds: the checked args with defaults applied, and the chart values. */
export interface ContourIngressBuild {
    args: ContourIngressArgs;
    existing: boolean;
    ingressClassName: string;
    namespace: string;
    /** Values of the projectcontour chart; unused when `existing`. */
    values: Record<string, unknown>;
}

/** A ContourIngress's validated input; see {@link planContourIngress}. */
export type ContourIngressPlan = Planned<"ContourIngress", ContourIngressBuild>;

/**
 * Contour from the projectcontour Helm chart, in its own namespace, with an IngressClass; or an
 * existing Contour adopted by class name (`existing: true`).
 */
export class ContourIngress extends pulumi.ComponentResource {
    /** The IngressClass name proxies must carry to be served. */
    public readonly ingressClassName: pulumi.Output<string>;
    /** The namespace Contour runs in. */
    public readonly namespace: pulumi.Output<string>;

    constructor(
        name: string,
        args: ContourIngressArgs | ContourIngressPlan = {},
        opts?: pulumi.ComponentResourceOptions,
    ) {
        const plan = usePlan("ContourIngress", name, args, planContourIngress);
        super("pipeline-platform:ingress:ContourIngress", name, {}, opts);

        if (plan.existing) {
            this.ingressClassName = pulumi.output(plan.ingressClassName);
            this.namespace = pulumi.output(plan.namespace);
            this.registerOutputs({
                ingressClassName: this.ingressClassName,
                namespace: this.namespace,
            });
            return;
        }

        const labels = standardLabels("ingress");
        const namespace = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            {
                metadata: { name: plan.namespace, labels },
            },
            { parent: this },
        );
        const ingressClass = new k8s.networking.v1.IngressClass(
            `${name}-class`,
            {
                metadata: { name: plan.ingressClassName, labels },
                spec: { controller: CONTOUR_CONTROLLER },
            },
            { parent: this },
        );
        new k8s.helm.v3.Release(
            `${name}-contour`,
            {
                name: "contour",
                chart: CONTOUR_CHART.chart,
                version: CONTOUR_CHART.version,
                repositoryOpts: { repo: CONTOUR_CHART.repo },
                namespace: namespace.metadata.name,
                values: plan.values,
            },
            { parent: this, dependsOn: [namespace, ingressClass] },
        );

        // Known at preview, so proxies that use them show real diffs; ordering after the chart (which
        // installs the HTTPProxy CRD) comes from `dependsOn: [contour]` on the PipelineIngress.
        this.ingressClassName = ingressClass.metadata.name;
        this.namespace = namespace.metadata.name;
        this.registerOutputs({
            ingressClassName: this.ingressClassName,
            namespace: this.namespace,
        });
    }
}

/**
 * Checks a ContourIngress's args without creating anything and returns the plan its constructor
 * builds from. Refusals name the instance (`ContourIngress "name": namespace: got …`), or report
 * through `reporter` when a platform plans it.
 */
export function planContourIngress(
    name: string,
    args: ContourIngressArgs = {},
    reporter?: Reporter,
): ContourIngressPlan {
    return planComponent(
        "ContourIngress",
        "ContourIngressArgs",
        name,
        args,
        (checked: ContourIngressArgs) => {
            const existing = checked.existing ?? false;
            const rootNamespaces = checked.rootNamespaces ?? [];
            if (existing && rootNamespaces.length > 0) {
                invalidInput({
                    path: "rootNamespaces",
                    given: rootNamespaces,
                    expected:
                        "no rootNamespaces with existing: true (nothing is installed to pass them to); configure them on the existing Contour or drop existing",
                    example: `{ existing: true, ingressClassName: "contour" }`,
                });
            }
            const ingressClassName = checked.ingressClassName ?? "contour";
            return {
                args: checked,
                existing,
                ingressClassName,
                namespace: checked.namespace ?? "projectcontour",
                values: contourValues(ingressClassName, rootNamespaces),
            };
        },
        reporter,
    );
}

/**
 * The chart values: the class name Contour serves (the IngressClass itself is created by this
 * component so it carries the package's labels) and the root namespaces. No `commonLabels`: the
 * chart appends its own `app.kubernetes.io/component` after them, which would duplicate the key.
 */
function contourValues(
    ingressClassName: string,
    rootNamespaces: string[],
): Record<string, unknown> {
    return {
        contour: {
            ingressClass: { name: ingressClassName, create: false, default: false },
            ...(rootNamespaces.length > 0 ? { rootNamespaces: rootNamespaces.join(",") } : {}),
        },
    };
}

import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
    dns1123LabelProblems,
    dns1123SubdomainProblems,
    invalidInput,
    joinPath,
    standardLabels,
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
export const CONTOUR_CONTROLLER = "projectcontour.io/ingress-controller";

export interface ContourIngressArgs {
    /**
     * Adopt a Contour that is already installed: nothing is created, only the class name is exposed.
     * Default false.
     */
    existing?: boolean;
    /**
     * The IngressClass Contour serves; every `PipelineIngress` sets it as `spec.ingressClassName`.
     * Default `contour`.
     * @example "contour-internal"
     */
    ingressClassName?: string;
    /**
     * Namespace Contour and Envoy run in (created unless `existing`). Default `projectcontour`.
     * @example "contour"
     */
    namespace?: string;
    /**
     * Namespaces in which Contour accepts root HTTPProxies (Contour's `--root-namespaces`). Default:
     * all namespaces. Not allowed with `existing`, which installs nothing to pass it to.
     * @example ["imaging", "genomics"]
     */
    rootNamespaces?: string[];
}

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
        args: ContourIngressArgs = {},
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super("pipeline-platform:ingress:ContourIngress", name, {}, opts);
        const settings = contourSettings(args);

        if (settings.existing) {
            this.ingressClassName = pulumi.output(settings.ingressClassName);
            this.namespace = pulumi.output(settings.namespace);
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
                metadata: { name: settings.namespace, labels },
            },
            { parent: this },
        );
        const ingressClass = new k8s.networking.v1.IngressClass(
            `${name}-class`,
            {
                metadata: { name: settings.ingressClassName, labels },
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
                values: contourValues(settings),
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

/** Validated arguments with defaults applied. */
export interface ContourSettings {
    existing: boolean;
    ingressClassName: string;
    namespace: string;
    rootNamespaces: string[];
}

/** Applies defaults and validates; throws `InputPropertyError` on the first bad argument. */
export function contourSettings(args: ContourIngressArgs): ContourSettings {
    const settings: ContourSettings = {
        existing: args.existing ?? false,
        ingressClassName: args.ingressClassName ?? "contour",
        namespace: args.namespace ?? "projectcontour",
        rootNamespaces: args.rootNamespaces ?? [],
    };
    const classProblems = dns1123SubdomainProblems(settings.ingressClassName);
    if (classProblems.length > 0) {
        invalidInput({
            path: "ingressClassName",
            given: settings.ingressClassName,
            expected: `an IngressClass name that ${classProblems.join(" and ")}`,
            example: "contour",
        });
    }
    const namespaceProblems = dns1123LabelProblems(settings.namespace);
    if (namespaceProblems.length > 0) {
        invalidInput({
            path: "namespace",
            given: settings.namespace,
            expected: `a namespace name that ${namespaceProblems.join(" and ")}`,
            example: "projectcontour",
        });
    }
    settings.rootNamespaces.forEach((ns, i) => {
        const problems = dns1123LabelProblems(ns);
        if (problems.length > 0) {
            invalidInput({
                path: joinPath("rootNamespaces", i),
                given: ns,
                expected: `a namespace name that ${problems.join(" and ")}`,
                example: "imaging",
            });
        }
    });
    if (settings.existing && settings.rootNamespaces.length > 0) {
        invalidInput({
            path: "rootNamespaces",
            given: settings.rootNamespaces,
            expected:
                "no rootNamespaces with existing: true (nothing is installed to pass them to); configure them on the existing Contour or drop existing",
            example: `{ existing: true, ingressClassName: "contour" }`,
        });
    }
    return settings;
}

/**
 * The chart values: the class name Contour serves (the IngressClass itself is created by this
 * component so it carries the package's labels) and the root namespaces. No `commonLabels`: the
 * chart appends its own `app.kubernetes.io/component` after them, which would duplicate the key.
 */
export function contourValues(settings: ContourSettings): Record<string, unknown> {
    return {
        contour: {
            ingressClass: { name: settings.ingressClassName, create: false, default: false },
            ...(settings.rootNamespaces.length > 0
                ? { rootNamespaces: settings.rootNamespaces.join(",") }
                : {}),
        },
    };
}

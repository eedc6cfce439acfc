import * as YAML from "yaml";
import type { Registration } from "../engine";
import type { Manifest, RecordedManifest } from "../manifests";
import { podSpecs } from "../workloads";
import { isClusterScoped, manifestNamespace, objectLabel } from "./objects";

/** A name one object (or Helm value) uses to find another. */
export interface Reference {
    /** The registration whose object or values hold the name. */
    referrer: Registration;
    /** `Kind namespace/name` of the referring object, or `Release namespace/name`. */
    object: string;
    /** Where the name is, e.g. `spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef.name`. */
    path: string;
    kind: string;
    /** Undefined for cluster-scoped kinds. */
    namespace?: string;
    name: string;
    /** The key read from a Secret or ConfigMap. */
    key?: string;
    /**
     * True when the referrer uses the object as soon as it is created, so it must be created after
     * it; false for a pod template carried in a ConfigMap or a ServiceAccount's pull Secrets, whose
     * pods only start later: then only existence is checked.
     */
    ordered: boolean;
}

/** What every reference found in one place shares. */
type Origin = Pick<Reference, "referrer" | "object" | "ordered">;

type Json = Record<string, unknown>;

/** A value as an object (arrays and scalars read as empty). */
function obj(value: unknown): Json {
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};
}

function list(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

/** A name a launcher fills in at run time (`{{ dag.dag_id }}-data`) is no reference the program can check. */
function literalName(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" && !value.includes("{{") ? value : undefined;
}

/**
 * Builds one reference when `name` is a literal name. The `default` ServiceAccount is none: every
 * namespace has one, so using it needs only the namespace, which the user names anyway.
 */
function ref(
    origin: Origin,
    path: string,
    kind: string,
    namespace: string | undefined,
    name: unknown,
    key?: unknown,
): Reference[] {
    const literal = literalName(name);
    if (literal === undefined || (kind === "ServiceAccount" && literal === "default")) {
        return [];
    }
    return [
        {
            ...origin,
            path,
            kind,
            namespace: isClusterScoped(kind) ? undefined : namespace,
            name: literal,
            ...(typeof key === "string" ? { key } : {}),
        },
    ];
}

/**
 * The Secrets, ConfigMaps, claims, pull Secrets and ServiceAccount a pod spec names. Optional ones
 * (`optional: true`) are left out.
 */
export function podSpecReferences(
    spec: Json,
    at: string,
    namespace: string,
    origin: Origin,
): Reference[] {
    const found: Reference[] = [];
    const add = (...refs: Reference[][]) => refs.forEach((r) => found.push(...r));
    for (const field of ["initContainers", "containers", "ephemeralContainers"]) {
        list(spec[field]).forEach((container, c) => {
            const path = `${at}.${field}[${c}]`;
            add(envReferences(obj(container).env, `${path}.env`, namespace, origin));
            add(
                ...list(obj(container).envFrom).map((source, s) =>
                    envFromReferences(source, `${path}.envFrom[${s}]`, namespace, origin),
                ),
            );
        });
    }
    list(spec.volumes).forEach((volume, v) => {
        add(volumeReferences(volume, `${at}.volumes[${v}]`, namespace, origin));
    });
    list(spec.imagePullSecrets).forEach((secret, s) => {
        add(
            ref(origin, `${at}.imagePullSecrets[${s}].name`, "Secret", namespace, obj(secret).name),
        );
    });
    add(
        ref(
            origin,
            `${at}.serviceAccountName`,
            "ServiceAccount",
            namespace,
            spec.serviceAccountName ?? spec.serviceAccount,
        ),
    );
    return found;
}

/** An `env` list: the Secret and ConfigMap keys its `valueFrom` selectors read. */
export function envReferences(
    env: unknown,
    path: string,
    namespace: string,
    origin: Origin,
): Reference[] {
    const found: Reference[] = [];
    list(env).forEach((variable, e) => {
        const from = obj(obj(variable).valueFrom);
        for (const [selector, kind] of [
            ["secretKeyRef", "Secret"],
            ["configMapKeyRef", "ConfigMap"],
        ] as const) {
            const selected = obj(from[selector]);
            if (from[selector] !== undefined && selected.optional !== true) {
                found.push(
                    ...ref(
                        origin,
                        `${path}[${e}].valueFrom.${selector}.name`,
                        kind,
                        namespace,
                        selected.name,
                        selected.key,
                    ),
                );
            }
        }
    });
    return found;
}

/** An `envFrom` entry: a whole Secret or ConfigMap. */
export function envFromReferences(
    source: unknown,
    path: string,
    namespace: string,
    origin: Origin,
): Reference[] {
    const found: Reference[] = [];
    for (const [field, kind] of [
        ["secretRef", "Secret"],
        ["configMapRef", "ConfigMap"],
    ] as const) {
        const selected = obj(obj(source)[field]);
        if (obj(source)[field] !== undefined && selected.optional !== true) {
            found.push(...ref(origin, `${path}.${field}.name`, kind, namespace, selected.name));
        }
    }
    return found;
}

/** A pod volume: a Secret or ConfigMap (with the keys its items read), a claim, or projected sources. */
export function volumeReferences(
    volume: unknown,
    path: string,
    namespace: string,
    origin: Origin,
): Reference[] {
    const v = obj(volume);
    const found: Reference[] = [];
    const keyed = (at: string, kind: string, source: Json, nameField: string) => {
        if (source.optional === true) {
            return;
        }
        const items = list(source.items);
        if (items.length === 0) {
            found.push(...ref(origin, `${at}.${nameField}`, kind, namespace, source[nameField]));
        }
        items.forEach((item, i) =>
            found.push(
                ...ref(
                    origin,
                    `${at}.items[${i}].key`,
                    kind,
                    namespace,
                    source[nameField],
                    obj(item).key,
                ),
            ),
        );
    };
    if (v.secret !== undefined) {
        keyed(`${path}.secret`, "Secret", obj(v.secret), "secretName");
    }
    if (v.configMap !== undefined) {
        keyed(`${path}.configMap`, "ConfigMap", obj(v.configMap), "name");
    }
    if (v.persistentVolumeClaim !== undefined) {
        found.push(
            ...ref(
                origin,
                `${path}.persistentVolumeClaim.claimName`,
                "PersistentVolumeClaim",
                namespace,
                obj(v.persistentVolumeClaim).claimName,
            ),
        );
    }
    list(obj(v.projected).sources).forEach((source, s) => {
        const at = `${path}.projected.sources[${s}]`;
        if (obj(source).secret !== undefined) {
            keyed(`${at}.secret`, "Secret", obj(obj(source).secret), "name");
        }
        if (obj(source).configMap !== undefined) {
            keyed(`${at}.configMap`, "ConfigMap", obj(obj(source).configMap), "name");
        }
    });
    return found;
}

/**
 * Namespaces in which the program lets someone create pods (a Role granting `create` on `pods`):
 * where a launcher may start the pods of a template carried in a ConfigMap.
 */
export function podLaunchNamespaces(manifests: readonly RecordedManifest[]): string[] {
    const namespaces = new Set<string>();
    for (const { manifest, patch } of manifests) {
        if (patch || manifest.kind !== "Role") {
            continue;
        }
        const grants = list(manifest.rules).some((rule) => {
            const r = obj(rule);
            const has = (field: string, ...values: string[]) =>
                list(r[field]).some((v) => values.includes(v as string));
            return (
                has("apiGroups", "", "*") &&
                has("resources", "pods", "*") &&
                has("verbs", "create", "*")
            );
        });
        if (grants) {
            namespaces.add(manifestNamespace(manifest)!);
        }
    }
    return [...namespaces].sort();
}

/** Every name a Kubernetes object of the program uses, with where it uses it. */
export function manifestReferences(
    recorded: RecordedManifest,
    launchNamespaces: readonly string[],
): Reference[] {
    const { manifest, registration, patch } = recorded;
    const namespace = manifestNamespace(manifest);
    const object = objectLabel(manifest.kind, namespace, manifest.metadata.name ?? "<no name>");
    const origin: Origin = { referrer: registration, object, ordered: true };
    const found: Reference[] = [];
    if (namespace !== undefined) {
        found.push(...ref(origin, "metadata.namespace", "Namespace", undefined, namespace));
    }
    if (patch) {
        // A server-side apply patch changes an object someone else created: it must exist first.
        found.push(
            ...ref(origin, "metadata.name", manifest.kind, namespace, manifest.metadata.name),
        );
    }
    if (manifest.kind === "ConfigMap") {
        // Its pod templates run where a launcher starts them: read (and parsed) once, there.
        found.push(...templateReferences(manifest, launchNamespaces, origin));
    } else {
        for (const pod of podSpecs([manifest])) {
            found.push(...podSpecReferences(pod.spec, pod.where, namespace ?? "default", origin));
        }
    }
    found.push(...kindReferences(manifest, namespace, origin));
    return found;
}

/**
 * The references of pod template files carried in a ConfigMap. Their pods run where a launcher
 * starts them, later: in the template's own namespace when it names one, otherwise in every
 * namespace where the program lets pods be created, otherwise in the ConfigMap's namespace.
 */
function templateReferences(
    manifest: Manifest,
    launchNamespaces: readonly string[],
    origin: Origin,
): Reference[] {
    const found: Reference[] = [];
    for (const [file, text] of Object.entries(obj(manifest.data))) {
        for (const document of typeof text === "string" ? yamlDocuments(text) : []) {
            const template = obj(document);
            const own = literalName(obj(template.metadata).namespace);
            const targets =
                own !== undefined
                    ? [own]
                    : launchNamespaces.length > 0
                      ? launchNamespaces
                      : [manifestNamespace(manifest)!];
            for (const pod of podSpecs([
                { ...template, metadata: obj(template.metadata) } as Manifest,
            ])) {
                for (const target of targets) {
                    found.push(
                        ...podSpecReferences(
                            pod.spec,
                            `data[${JSON.stringify(file)}].${pod.where}`,
                            target,
                            {
                                ...origin,
                                ordered: false,
                            },
                        ),
                    );
                }
            }
        }
    }
    return found;
}

function yamlDocuments(text: string): unknown[] {
    try {
        return YAML.parseAllDocuments(text).map((d) => d.toJS() as unknown);
    } catch {
        return [];
    }
}

/** References particular to a kind: routes, issuers, storage classes, generators, stores. */
function kindReferences(
    manifest: Manifest,
    namespace: string | undefined,
    origin: Origin,
): Reference[] {
    const spec = obj(manifest.spec);
    const ns = namespace ?? "default";
    const found: Reference[] = [];
    const add = (...refs: Reference[][]) => refs.forEach((r) => found.push(...r));
    switch (`${manifest.apiVersion.split("/")[0]} ${manifest.kind}`) {
        case "v1 PersistentVolumeClaim":
            add(
                ref(
                    origin,
                    "spec.storageClassName",
                    "StorageClass",
                    undefined,
                    spec.storageClassName,
                ),
            );
            break;
        case "apps StatefulSet":
            list(spec.volumeClaimTemplates).forEach((template, t) =>
                add(
                    ref(
                        origin,
                        `spec.volumeClaimTemplates[${t}].spec.storageClassName`,
                        "StorageClass",
                        undefined,
                        obj(obj(template).spec).storageClassName,
                    ),
                ),
            );
            break;
        case "v1 ServiceAccount":
            list(manifest.imagePullSecrets).forEach((secret, s) =>
                add(
                    ref(
                        { ...origin, ordered: false },
                        `imagePullSecrets[${s}].name`,
                        "Secret",
                        ns,
                        obj(secret).name,
                    ),
                ),
            );
            break;
        case "projectcontour.io HTTPProxy": {
            list(spec.routes).forEach((route, r) =>
                list(obj(route).services).forEach((service, s) =>
                    add(
                        ref(
                            origin,
                            `spec.routes[${r}].services[${s}].name`,
                            "Service",
                            ns,
                            obj(service).name,
                        ),
                    ),
                ),
            );
            list(obj(spec.tcpproxy).services).forEach((service, s) =>
                add(
                    ref(
                        origin,
                        `spec.tcpproxy.services[${s}].name`,
                        "Service",
                        ns,
                        obj(service).name,
                    ),
                ),
            );
            const tls = literalName(obj(obj(spec.virtualhost).tls).secretName);
            if (tls !== undefined) {
                // `namespace/name` names a Secret another namespace delegates (TLSCertificateDelegation).
                const [secretNamespace, secretName] = tls.includes("/")
                    ? tls.split("/", 2)
                    : [ns, tls];
                add(
                    ref(
                        origin,
                        "spec.virtualhost.tls.secretName",
                        "Secret",
                        secretNamespace,
                        secretName,
                    ),
                );
            }
            list(spec.includes).forEach((include, i) =>
                add(
                    ref(
                        origin,
                        `spec.includes[${i}].name`,
                        "HTTPProxy",
                        literalName(obj(include).namespace) ?? ns,
                        obj(include).name,
                    ),
                ),
            );
            break;
        }
        case "networking.k8s.io Ingress":
            list(spec.rules).forEach((rule, r) =>
                list(obj(obj(rule).http).paths).forEach((p, i) =>
                    add(
                        ref(
                            origin,
                            `spec.rules[${r}].http.paths[${i}].backend.service.name`,
                            "Service",
                            ns,
                            obj(obj(obj(p).backend).service).name,
                        ),
                    ),
                ),
            );
            list(spec.tls).forEach((tls, t) =>
                add(ref(origin, `spec.tls[${t}].secretName`, "Secret", ns, obj(tls).secretName)),
            );
            break;
        case "cert-manager.io Certificate": {
            const issuer = obj(spec.issuerRef);
            if ((issuer.group ?? "cert-manager.io") === "cert-manager.io") {
                const kind = issuer.kind === "ClusterIssuer" ? "ClusterIssuer" : "Issuer";
                add(ref(origin, "spec.issuerRef.name", kind, ns, issuer.name));
            }
            break;
        }
        case "external-secrets.io ExternalSecret":
            add(externalSecretSpecReferences(spec, "spec", ns, origin));
            if (obj(spec.target).creationPolicy === "Merge") {
                add(
                    ref(
                        origin,
                        "spec.target.name",
                        "Secret",
                        ns,
                        obj(spec.target).name ?? manifest.metadata.name,
                    ),
                );
            }
            break;
        case "external-secrets.io ClusterExternalSecret":
            for (const target of list(spec.namespaces)) {
                add(
                    externalSecretSpecReferences(
                        obj(spec.externalSecretSpec),
                        "spec.externalSecretSpec",
                        target as string,
                        origin,
                    ),
                );
            }
            break;
        case "generators.external-secrets.io ECRAuthorizationToken":
        case "generators.external-secrets.io GCRAccessToken":
            add(generatorReferences(spec, "spec", ns, origin));
            break;
    }
    return found;
}

/**
 * An ExternalSecret spec's store and generator references. A generator named by a namespaced kind
 * is read from the ExternalSecret's own namespace (External Secrets v0.20.1,
 * `pkg/utils/resolvers/generator.go` `getGenerator`).
 */
function externalSecretSpecReferences(
    spec: Json,
    at: string,
    namespace: string,
    origin: Origin,
): Reference[] {
    const found: Reference[] = [];
    const store = (value: unknown, path: string) => {
        const s = obj(value);
        if (value !== undefined) {
            const kind = s.kind === "ClusterSecretStore" ? "ClusterSecretStore" : "SecretStore";
            found.push(...ref(origin, `${path}.name`, kind, namespace, s.name));
        }
    };
    store(spec.secretStoreRef, `${at}.secretStoreRef`);
    list(spec.data).forEach((d, i) =>
        store(obj(obj(d).sourceRef).storeRef, `${at}.data[${i}].sourceRef.storeRef`),
    );
    list(spec.dataFrom).forEach((d, i) => {
        const source = obj(obj(d).sourceRef);
        store(source.storeRef, `${at}.dataFrom[${i}].sourceRef.storeRef`);
        const generator = obj(source.generatorRef);
        if (source.generatorRef !== undefined && typeof generator.kind === "string") {
            found.push(
                ...ref(
                    origin,
                    `${at}.dataFrom[${i}].sourceRef.generatorRef.name`,
                    generator.kind,
                    namespace,
                    generator.name,
                ),
            );
        }
    });
    return found;
}

/**
 * The ServiceAccount and Secrets an ECR or GCR token generator authenticates with. External Secrets
 * reads them from the namespace of the ExternalSecret that runs the generator and ignores a
 * `namespace` in the reference (v0.20.1 `pkg/provider/aws/auth/auth.go` `NewGeneratorSession`).
 */
export function generatorReferences(
    spec: Json,
    at: string,
    namespace: string,
    origin: Origin,
): Reference[] {
    const auth = obj(spec.auth);
    const found: Reference[] = [];
    for (const [path, account] of [
        [`${at}.auth.jwt.serviceAccountRef.name`, obj(obj(auth.jwt).serviceAccountRef).name],
        [
            `${at}.auth.workloadIdentity.serviceAccountRef.name`,
            obj(obj(auth.workloadIdentity).serviceAccountRef).name,
        ],
    ] as const) {
        found.push(...ref(origin, path, "ServiceAccount", namespace, account));
    }
    for (const [field, selector] of Object.entries(obj(auth.secretRef))) {
        found.push(
            ...ref(
                origin,
                `${at}.auth.secretRef.${field}.name`,
                "Secret",
                namespace,
                obj(selector).name,
                obj(selector).key,
            ),
        );
    }
    return found;
}

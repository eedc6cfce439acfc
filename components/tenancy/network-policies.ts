import { isIP } from "net";
import {
    canonicalCidr,
    cidrProblems,
    cidrWithin,
    invalidInput,
    joinPath,
    type Labels,
    type NamespaceName,
} from "../core";

/**
 * A port a pod listens on (NetworkPolicy ports are the pods' ports, not a Service's).
 * @asType integer
 * @minimum 1
 * @maximum 65535
 * @example 8080
 */
export type PodPort = number;

/**
 * An IPv4 or IPv6 network in CIDR notation, written canonically (no host bits set).
 * @pattern ^([0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*)/[0-9]{1,3}$
 * @example "10.20.0.0/16"
 */
export type Cidr = string;

/** A port and its protocol. */
export interface FencePort {
    /**
     * The pods' port.
     */
    port: PodPort;
    /**
     * The protocol. Default `TCP`.
     * @example "UDP"
     */
    protocol?: "TCP" | "UDP" | "SCTP";
}

/** Where pods resolve names. */
export interface DnsServers {
    /**
     * Namespace of the cluster DNS pods. Default `kube-system`.
     * @example "kube-system"
     */
    namespace?: NamespaceName;
    /**
     * Labels of the cluster DNS pods. Default `{ "k8s-app": "kube-dns" }` (CoreDNS and kube-dns on
     * kubeadm, EKS, GKE and kind).
     * @example { "k8s-app": "kube-dns" }
     */
    podSelector?: Labels;
    /**
     * Further DNS server addresses, e.g. NodeLocal DNSCache's link-local address. Default none.
     * @uniqueItems true
     * @example ["169.254.20.10/32"]
     */
    cidrs?: Cidr[];
}

/** The Kubernetes API server, for pods that call it. */
export interface KubernetesApiEgress {
    /**
     * The API server's addresses as the pods reach them (after the `kubernetes` Service's address is
     * translated): the control-plane endpoints, e.g. `kubectl get endpoints kubernetes`.
     * @minItems 1
     * @uniqueItems true
     * @example ["172.20.0.0/16"]
     */
    cidrs: Cidr[];
    /**
     * The API server's ports. Default `[443, 6443]`.
     * @minItems 1
     * @uniqueItems true
     * @example [443]
     */
    ports?: PodPort[];
}

/** Destinations in an address range. */
export interface CidrDestination {
    /**
     * The range.
     * @example "10.20.0.0/16"
     */
    cidr: Cidr;
    /**
     * Ranges inside `cidr` that stay out of reach, e.g. the instance metadata service. Default none.
     * @uniqueItems true
     * @example ["169.254.169.254/32"]
     */
    except?: Cidr[];
    /**
     * The ports. Default: every port.
     * @minItems 1
     * @example [{ port: 5432 }]
     */
    ports?: FencePort[];
}

/** Destinations in other namespaces, selected by labels. */
export interface NamespaceDestination {
    /**
     * Labels of the namespaces (`kubernetes.io/metadata.name` names one). At least one pair.
     * @minProperties 1
     * @example { "kubernetes.io/metadata.name": "minio" }
     */
    namespaceSelector: Labels;
    /**
     * Labels of the pods in them. Default: every pod.
     * @example { app: "minio" }
     */
    podSelector?: Labels;
    /**
     * The ports. Default: every port.
     * @minItems 1
     * @example [{ port: 9000 }]
     */
    ports?: FencePort[];
}

/**
 * A service by its URL (an S3 endpoint, a registry). An in-cluster Service URL
 * (`<service>.<namespace>.svc[.<cluster domain>]`) is reached by namespace, an IP address by itself;
 * a host name outside the cluster needs `cidrs`, since NetworkPolicy selects no host names.
 */
export interface EndpointDestination {
    /**
     * The URL, with scheme; its port (or the scheme's, 80 or 443) is the port reached.
     * @example "http://minio.minio.svc:9000"
     */
    endpoint: string;
    /**
     * The addresses the host name stands for (required for a host outside the cluster).
     * @minItems 1
     * @uniqueItems true
     * @example ["52.219.0.0/16"]
     */
    cidrs?: Cidr[];
    /**
     * Ranges inside `cidrs` that stay out of reach. Default none.
     * @uniqueItems true
     * @example ["169.254.169.254/32"]
     */
    except?: Cidr[];
    /**
     * The ports the destination's pods listen on, when its Service maps the URL's port to another.
     * Default: the URL's port.
     * @minItems 1
     * @example [{ port: 9000 }]
     */
    ports?: FencePort[];
}

/**
 * A destination pods may reach.
 * @example { cidr: "10.20.0.0/16", ports: [{ port: 5432 }] }
 */
export type EgressDestination = CidrDestination | NamespaceDestination | EndpointDestination;

/** Where the project's pods may connect. */
export interface FenceEgress {
    /**
     * No egress policy at all: pods reach any address. Default false: only DNS, the peers and
     * destinations declared here.
     * @example false
     */
    unrestricted?: boolean;
    /**
     * The DNS servers. Default: the cluster DNS pods in `kube-system`, port 53 (UDP and TCP).
     * @example { namespace: "kube-system", podSelector: { "k8s-app": "kube-dns" } }
     */
    dns?: DnsServers;
    /**
     * The Kubernetes API server, for pods that call it (an executor's worker that launches pods).
     * Default: not reachable.
     * @example { cidrs: ["172.20.0.0/16"], ports: [443] }
     */
    kubernetesApi?: KubernetesApiEgress;
    /**
     * Further destinations: address ranges, namespaces, or services by URL. Default none.
     * @example [{ endpoint: "http://minio.minio.svc:9000" }, { cidr: "10.20.0.0/16", ports: [{ port: 5432 }] }]
     */
    to?: EgressDestination[];
}

/** The label every namespace carries with its own name (Kubernetes 1.22 and later). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
/** Cluster DNS unless a config names other servers. */
export const DEFAULT_DNS = { namespace: "kube-system", podSelector: { "k8s-app": "kube-dns" } };
/** The API server's usual ports: 443 (managed clusters) and 6443 (kubeadm, kind). */
export const DEFAULT_API_PORTS = [443, 6443];

/** A NetworkPolicy peer, as the API takes it. */
export interface PolicyPeer {
    namespaceSelector?: { matchLabels: Record<string, string> };
    podSelector?: { matchLabels?: Record<string, string> };
    ipBlock?: { cidr: string; except?: string[] };
}

/** A NetworkPolicy port, as the API takes it. */
export interface PolicyPort {
    protocol: string;
    port: number;
}

/** One ingress or egress rule: peers (`from` or `to`) and ports; no ports means every port. */
export interface PolicyRule {
    peers: PolicyPeer[];
    ports?: PolicyPort[];
}

/** A namespace (and optionally some of its pods) as a peer. */
export function namespacePeer(namespace: string, podSelector?: Labels): PolicyPeer {
    return {
        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
        ...(podSelector && Object.keys(podSelector).length > 0
            ? { podSelector: { matchLabels: podSelector } }
            : {}),
    };
}

export function policyPorts(ports: FencePort[]): PolicyPort[] {
    return ports.map((p) => ({ protocol: p.protocol ?? "TCP", port: p.port }));
}

/** Refuses a CIDR that is not a network in canonical form, suggesting the canonical one. */
export function checkCidr(cidr: string, path: string): void {
    const problems = cidrProblems(cidr);
    if (problems.length > 0) {
        invalidInput({
            path,
            given: cidr,
            expected: `a network in CIDR notation that ${problems.join(" and ")}`,
            example: canonicalCidr(cidr) ?? (cidr.includes(":") ? "fd00::/8" : "10.20.0.0/16"),
        });
    }
}

/** A network strictly inside `cidr` (its first eighth-of-a-byte-longer subnet), for examples. */
function narrower(cidr: string | undefined): string {
    if (cidr === undefined) {
        return "10.20.1.0/24";
    }
    const [address, bits] = cidr.split("/");
    const max = address.includes(":") ? 128 : 32;
    return Number(bits) >= max
        ? "no exception inside a single address"
        : `${address}/${Math.min(Number(bits) + 8, max)}`;
}

/**
 * The `ipBlock` peers of some ranges, each with the exceptions inside it. An exception outside
 * every range is refused: the API server refuses an `except` that is not strictly inside its `cidr`.
 */
export function ipBlockPeers(
    cidrs: string[],
    except: string[],
    path: (index: number) => string,
    exceptPath: string,
): PolicyPeer[] {
    cidrs.forEach((cidr, i) => checkCidr(cidr, path(i)));
    except.forEach((hole, j) => {
        checkCidr(hole, joinPath(exceptPath, j));
        if (!cidrs.some((cidr) => cidrWithin(hole, cidr))) {
            invalidInput({
                path: joinPath(exceptPath, j),
                given: hole,
                expected: `a range strictly inside ${cidrs.length === 1 ? cidrs[0] : `one of ${JSON.stringify(cidrs)}`}`,
                example: narrower(cidrs[0]),
            });
        }
    });
    return cidrs.map((cidr) => {
        const inside = except.filter((hole) => cidrWithin(hole, cidr));
        return { ipBlock: { cidr, ...(inside.length > 0 ? { except: inside } : {}) } };
    });
}

const IN_CLUSTER_SERVICE =
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.[a-z0-9.-]+)?$/;

/**
 * The rule that lets pods reach a service by URL: an in-cluster Service by its namespace, an IP
 * address by itself, any other host by the `cidrs` given for it.
 */
export function endpointRule(destination: EndpointDestination, path: string): PolicyRule {
    let url: URL | undefined;
    try {
        url = new URL(destination.endpoint);
    } catch {
        url = undefined;
    }
    if (url === undefined || !["http:", "https:"].includes(url.protocol) || url.hostname === "") {
        return invalidInput({
            path: joinPath(path, "endpoint"),
            given: destination.endpoint,
            expected: "a URL with http:// or https:// and a host",
            example: "http://minio.minio.svc:9000",
        });
    }
    const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
    const ports = policyPorts(destination.ports ?? [{ port }]);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (destination.cidrs !== undefined) {
        return {
            peers: ipBlockPeers(
                destination.cidrs,
                destination.except ?? [],
                (i) => joinPath(joinPath(path, "cidrs"), i),
                joinPath(path, "except"),
            ),
            ports,
        };
    }
    if (destination.except !== undefined) {
        invalidInput({
            path: joinPath(path, "cidrs"),
            given: destination.cidrs,
            expected: "the ranges `except` makes holes in",
            example: '["0.0.0.0/0"]',
        });
    }
    const service = IN_CLUSTER_SERVICE.exec(host);
    if (service) {
        return { peers: [namespacePeer(service[3])], ports };
    }
    const family = isIP(host);
    if (family !== 0) {
        const cidr = canonicalCidr(`${host}/${family === 4 ? 32 : 128}`) as string;
        return { peers: [{ ipBlock: { cidr } }], ports };
    }
    return invalidInput({
        path: joinPath(path, "cidrs"),
        given: destination.cidrs,
        expected: `the addresses ${host} stands for: a NetworkPolicy selects addresses and namespaces, never host names`,
        example: '["52.219.0.0/16"]',
    });
}

/** The rule of one declared destination; refusals name paths under `path`. */
export function destinationRule(destination: EgressDestination, path: string): PolicyRule {
    if ("endpoint" in destination) {
        return endpointRule(destination, path);
    }
    if ("cidr" in destination) {
        return {
            peers: ipBlockPeers(
                [destination.cidr],
                destination.except ?? [],
                () => joinPath(path, "cidr"),
                joinPath(path, "except"),
            ),
            ...(destination.ports ? { ports: policyPorts(destination.ports) } : {}),
        };
    }
    return {
        peers: [
            {
                namespaceSelector: { matchLabels: destination.namespaceSelector },
                ...(destination.podSelector && Object.keys(destination.podSelector).length > 0
                    ? { podSelector: { matchLabels: destination.podSelector } }
                    : {}),
            },
        ],
        ...(destination.ports ? { ports: policyPorts(destination.ports) } : {}),
    };
}

/** The NetworkPolicy `ingress` or `egress` entries of some rules. */
export function policyRules(
    rules: PolicyRule[],
    direction: "from" | "to",
): Record<string, unknown>[] {
    return rules.map((rule) => ({
        [direction]: rule.peers,
        ...(rule.ports ? { ports: rule.ports } : {}),
    }));
}

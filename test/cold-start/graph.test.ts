import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { runProgram, type Registration } from "../../components/testing";
import { applyGraph } from "../../components/testing/cold-start";
import SEMANTICS from "../fixtures/upstream/pulumi-semantics.json";

class Group extends pulumi.ComponentResource {
    constructor(
        name: string,
        build: (parent: Group) => void,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super("test:cold-start:Group", name, {}, opts);
        build(this);
        this.registerOutputs({});
    }
}

function configMap(name: string, opts?: pulumi.CustomResourceOptions): k8s.core.v1.ConfigMap {
    return new k8s.core.v1.ConfigMap(name, { metadata: { name, namespace: "default" } }, opts);
}

function named(registrations: Registration[], name: string): Registration {
    const found = registrations.filter((r) => r.name === name);
    expect(found).toHaveLength(1);
    return found[0];
}

/** A tree in the fixture's notation, `Comp1{Cust1, Comp2{Cust2{Cust4}, Cust3}}`. */
interface Node {
    name: string;
    children: Node[];
}

function parseTree(text: string): Node[] {
    let at = 0;
    const skip = () => (at += /^[\s,]*/.exec(text.slice(at))![0].length);
    const nodes = (): Node[] => {
        const list: Node[] = [];
        for (skip(); at < text.length && text[at] !== "}"; skip()) {
            const name = /^[A-Za-z0-9.]+/.exec(text.slice(at))![0];
            at += name.length;
            let children: Node[] = [];
            if (text[at] === "{") {
                at++;
                children = nodes();
                at++;
            }
            list.push({ name, children });
        }
        return list;
    };
    return nodes();
}

describe("apply graph: Pulumi's ordering (pulumi/pulumi v3.248.0, test/fixtures/upstream)", () => {
    test("a dependency on a component records the custom resources below it, not those below a custom resource", async () => {
        // `Comp1{Cust1, Comp2{Cust2{Cust4}, Cust3}, Remote1{...}} -> [Cust1, Cust2, Cust3, Remote1]`:
        // remote components cannot run under mocks, so Remote1 is left out on both sides.
        const [tree, expected] = SEMANTICS.dependsOnComponent.example.split(" -> ");
        const local = (nodes: Node[]): Node[] =>
            nodes
                .filter((n) => !n.name.startsWith("Remote"))
                .map((n) => ({ ...n, children: local(n.children) }));
        const [root] = local(parseTree(tree));
        const { registrations } = await runProgram(() => {
            const make = (node: Node, parent?: pulumi.Resource): pulumi.Resource => {
                if (node.name.startsWith("Comp")) {
                    return new Group(
                        node.name,
                        (self) => node.children.forEach((c) => make(c, self)),
                        { parent },
                    );
                }
                const custom = configMap(node.name.toLowerCase(), { parent });
                node.children.forEach((c) => make(c, custom));
                return custom;
            };
            configMap("dependent", { dependsOn: [make(root)] });
        });
        const wanted = expected
            .replace(/^\[|\]$/g, "")
            .split(", ")
            .filter((n) => !n.startsWith("Remote"));
        expect(wanted).toEqual(["Cust1", "Cust2", "Cust3"]);
        expect(named(registrations, "dependent").dependencies).toEqual(
            wanted.map((n) => named(registrations, n.toLowerCase()).urn).sort(),
        );
    });

    test("a child comes after the dependencies of every component above it, and after a custom parent", async () => {
        const { registrations } = await runProgram(() => {
            const first = configMap("first");
            new Group(
                "outer",
                (outer) =>
                    new Group(
                        "inner",
                        (inner) => {
                            const child = configMap("child", { parent: inner });
                            configMap("grandchild", { parent: child });
                        },
                        { parent: outer },
                    ),
                { dependsOn: [first] },
            );
            configMap("unrelated");
        });
        const graph = applyGraph(registrations);
        const r = (name: string) => named(registrations, name);
        expect(graph.resources.map((x) => [x.registration.name, x.wave])).toEqual([
            ["first", 1],
            ["unrelated", 1],
            ["child", 2],
            ["grandchild", 3],
        ]);
        expect(graph.depth).toBe(3);
        expect(graph.isAfter(r("grandchild"), r("first"))).toBe(true);
        expect(graph.isAfter(r("child"), r("first"))).toBe(true);
        expect(graph.isAfter(r("child"), r("unrelated"))).toBe(false);
        expect(graph.isAfter(r("first"), r("child"))).toBe(false);
    });

    test("an Output input orders after the resource it comes from only, not after its siblings", async () => {
        const { registrations } = await runProgram(() => {
            let className: pulumi.Output<string> = pulumi.output("");
            const ingress = new Group("ingress", (self) => {
                const ingressClass = new k8s.networking.v1.IngressClass(
                    "class",
                    { metadata: { name: "contour" }, spec: { controller: "example.com/c" } },
                    { parent: self },
                );
                configMap("chart", { parent: self });
                className = ingressClass.metadata.name;
            });
            new k8s.core.v1.ConfigMap("reads-class", {
                metadata: { name: "reads-class", namespace: "default" },
                data: { ingressClass: className },
            });
            configMap("after-component", { dependsOn: [ingress] });
        });
        const graph = applyGraph(registrations);
        const r = (name: string) => named(registrations, name);
        expect(graph.isAfter(r("reads-class"), r("class"))).toBe(true);
        expect(graph.isAfter(r("reads-class"), r("chart"))).toBe(false);
        expect(graph.isAfter(r("after-component"), r("chart"))).toBe(true);
        expect(graph.isAfter(r("after-component"), r("class"))).toBe(true);
    });
});

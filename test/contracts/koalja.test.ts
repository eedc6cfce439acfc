// Koalja's S3 storage config where Koalja's S3 filesystem service looks for it
// (test/fixtures/contracts/koalja.json).
import * as path from "path";
import { parse } from "yaml";
import { renderStack } from "../../bin/render";
import type { Manifest } from "../../components/testing";
import KOALJA from "../fixtures/contracts/koalja.json";

const root = path.join(__dirname, "../..");

/** The namespaces the S3 filesystem service of Koalja's own deployment reads, in order. */
const lookup = KOALJA.s3StorageConfig.lookupNamespaces.map((ns) =>
    ns === "{s3 filesystem service namespace}"
        ? KOALJA.s3StorageConfig.serviceNamespaceInDeployment
        : ns,
);

describe.each(["dev", "staging", "prod"])("stack %s: Koalja's storage config", (stack) => {
    let objects: Manifest[];
    beforeAll(async () => {
        objects = (await renderStack({ stack, root })).manifests.map((m) => m.manifest);
    });

    test("the ConfigMap is in a namespace Koalja reads, with a default storage", () => {
        const configMaps = objects.filter(
            (m) =>
                m.kind === "ConfigMap" && m.metadata.name === KOALJA.s3StorageConfig.configMapName,
        );
        expect(configMaps.map((m) => m.metadata.namespace)).toEqual([KOALJA.systemNamespace.name]);
        expect(lookup).toContain(configMaps[0].metadata.namespace);
        expect(Object.keys(configMaps[0].data as object)).toContain(
            KOALJA.s3StorageConfig.defaultStorageKey,
        );
    });

    test("each storage's Secret is beside the ConfigMap, of the type and with the keys Koalja reads", () => {
        const configMap = objects.find(
            (m) =>
                m.kind === "ConfigMap" && m.metadata.name === KOALJA.s3StorageConfig.configMapName,
        )!;
        for (const entry of Object.values(configMap.data as Record<string, string>)) {
            const { secretName } = parse(entry) as { secretName: string };
            const secret = objects.find(
                (m) =>
                    m.kind === "Secret" &&
                    m.metadata.namespace === configMap.metadata.namespace &&
                    m.metadata.name === secretName,
            );
            expect([
                secretName,
                secret?.type,
                Object.keys((secret?.data as object) ?? {}).sort(),
            ]).toEqual([secretName, KOALJA.s3Secret.type, [...KOALJA.s3Secret.keys].sort()]);
        }
    });
});

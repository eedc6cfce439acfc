import * as pulumi from "@pulumi/pulumi";
import {
    checkPrerequisites,
    declaredPrerequisites,
    type ClusterPrerequisites,
    type PlatformConfig,
} from "../../components/platform";
import { StackConfigError, type StackConfig } from "./stack-config";

/**
 * What a stack's config declares its cluster provides, for the cold-start checks: everything a
 * `<project>:platform` config declares (its `prerequisites`, the external database Secret, the
 * pipelines' Services, the kinds of an existing Contour or External Secrets Operator), and a
 * `<project>:prerequisites` key for programs that use the components without the platform. A
 * malformed declaration is a config error naming its path.
 */
export function stackPrerequisites(stackConfig: StackConfig): ClusterPrerequisites {
    const platformKey = `${stackConfig.project}:platform`;
    const ownKey = `${stackConfig.project}:prerequisites`;
    try {
        const platform = parsed(stackConfig, platformKey);
        const own = parsed(stackConfig, ownKey);
        const declared = [
            ...(platform === undefined
                ? []
                : [declaredPrerequisites(platform as PlatformConfig, platformKey)]),
            ...(own === undefined ? [] : [checkPrerequisites(own, ownKey)]),
        ];
        return merge(declared);
    } catch (err) {
        if (pulumi.InputPropertyError.isInstance(err)) {
            throw new StackConfigError(err.reason, err.propertyPath);
        }
        throw err;
    }
}

/** A config value as the program reads it with `getObject` (a scalar stays the text it was). */
function parsed(stackConfig: StackConfig, key: string): unknown {
    const text = stackConfig.config[key];
    if (text === undefined) {
        return undefined;
    }
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return text;
    }
}

/** One declaration with the lists of all of them concatenated and their maps merged. */
function merge(declarations: ClusterPrerequisites[]): ClusterPrerequisites {
    const merged: Record<string, unknown> = {};
    for (const declaration of declarations) {
        for (const [field, value] of Object.entries(declaration)) {
            merged[field] = Array.isArray(value)
                ? [...((merged[field] as unknown[] | undefined) ?? []), ...value]
                : { ...((merged[field] as object | undefined) ?? {}), ...(value ?? {}) };
        }
    }
    return merged as ClusterPrerequisites;
}

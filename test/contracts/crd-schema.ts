import Ajv, { type ValidateFunction } from "ajv";

/** A CRD's served version as the fixtures record it. */
export interface RecordedCrd {
    group: string;
    version: string;
    kind: string;
    scope: string;
    openAPIV3Schema: Record<string, unknown>;
}

/**
 * The schema with every object that lists its properties closed: the API server prunes a field the
 * CRD does not declare (the object is accepted, the field silently dropped), so a field our object
 * sets that the CRD lacks is a defect the schema alone would let pass. Objects marked
 * `x-kubernetes-preserve-unknown-fields` and maps (`additionalProperties`) stay open.
 */
function closed(node: unknown): unknown {
    if (Array.isArray(node)) {
        return node.map(closed);
    }
    if (node === null || typeof node !== "object") {
        return node;
    }
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
        out[key] = key === "properties" ? mapValues(value, closed) : closed(value);
    }
    // OpenAPI 3.0 (the CRD dialect) writes exclusive bounds as booleans beside the bound.
    for (const [exclusive, bound] of [
        ["exclusiveMaximum", "maximum"],
        ["exclusiveMinimum", "minimum"],
    ]) {
        if (typeof out[exclusive] === "boolean") {
            if (out[exclusive] === true) {
                out[exclusive] = out[bound];
                delete out[bound];
            } else {
                delete out[exclusive];
            }
        }
    }
    if (
        out.properties !== undefined &&
        out.additionalProperties === undefined &&
        out["x-kubernetes-preserve-unknown-fields"] !== true
    ) {
        out.additionalProperties = false;
    }
    return out;
}

function mapValues(value: unknown, f: (v: unknown) => unknown): unknown {
    return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, f(v)]),
    );
}

/** Validators by `apiVersion kind`, each refusing fields the CRD does not declare. */
export function crdValidators(crds: RecordedCrd[]): Map<string, ValidateFunction> {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    return new Map(
        crds.map((crd) => [
            `${crd.group}/${crd.version} ${crd.kind}`,
            ajv.compile(closed(crd.openAPIV3Schema) as object),
        ]),
    );
}

/** The problems of one object against its CRD: `<instancePath> <message>` lines, none when valid. */
export function crdProblems(
    validators: Map<string, ValidateFunction>,
    object: { apiVersion: string; kind: string; [field: string]: unknown },
): string[] {
    const validate = validators.get(`${object.apiVersion} ${object.kind}`);
    if (validate === undefined) {
        return [`no recorded CRD for ${object.apiVersion} ${object.kind}`];
    }
    return validate(object)
        ? []
        : (validate.errors ?? []).map((e) =>
              e.keyword === "additionalProperties"
                  ? `${e.instancePath}/${String(e.params.additionalProperty)} is not a field of the CRD`
                  : `${e.instancePath} ${e.message}`,
          );
}

/** Whether the schema has a property at a dotted path (`status.currentStatus`). */
export function schemaHasPath(schema: Record<string, unknown>, dotted: string): boolean {
    let node: Record<string, unknown> | undefined = schema;
    for (const key of dotted.split(".")) {
        const properties = node?.properties as Record<string, Record<string, unknown>> | undefined;
        node = properties?.[key];
        if (node === undefined) {
            return false;
        }
    }
    return true;
}

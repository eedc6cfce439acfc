export {
    appendPath,
    componentReporter,
    CREDENTIAL_NAME,
    describeExample,
    describeValue,
    invalidInput,
    isCredentialName,
    joinPath,
    movePath,
    movePaths,
    nestedReporter,
    nestInputErrors,
    REDACTED,
    redactUserinfo,
    Refusal,
    refusal,
    reported,
    reportRefusals,
    type InvalidInput,
    type Reporter,
} from "./errors";
export {
    hasUrlUserinfo,
    refuseGuardedValues,
    refuseUrlCredentials,
    type GuardedValue,
} from "./guarded-values";
export {
    DURATION_BOUNDS,
    FORMATS,
    goDurationSeconds,
    hasControlCharacter,
    type Format,
} from "./formats";
export { holdsDeferred, isDeferred, isPlainObject, whenKnown } from "./deferred";
export { planComponent, Planned, usePlan } from "./plan";
export {
    checkShape,
    exampleOf,
    expectedOf,
    resolveNode,
    shapeDefinition,
    unknownKey,
    type SchemaNode,
} from "./shape";
export type {
    AwsRegion,
    ConfigKeyName,
    Duration,
    ImageName,
    ImageReferenceText,
    ImageTag,
    Labels,
    LabelKey,
    LabelValue,
    NamespaceName,
    ObjectName,
    Quantity,
    RegistryUrlText,
    SecretName,
    SemVer,
} from "./types";
export { dnsLabel, shortHash } from "./names";
export {
    STATEFUL_RESOURCES,
    statefulKind,
    statefulOptions,
    type StatefulKind,
    type StatefulResource,
} from "./data-safety";
export { standardLabels, type ModuleName } from "./labels";
export {
    canonicalCidr,
    cidrProblems,
    cidrWithin,
    configMapKeyProblems,
    dns1123LabelProblems,
    dns1123SubdomainProblems,
    formatQuantity,
    isBinaryQuantity,
    isNegativeQuantity,
    labelValueProblems,
    qualifiedNameProblems,
    quantityNanos,
    quantityProblems,
    quantityValue,
} from "./kubernetes-rules";
export {
    dockerConfigJson,
    imageNameProblems,
    imageReferenceProblems,
    imageRef,
    imageTagProblems,
    parseImageReference,
    parseRegistryUrl,
    registryUrlProblems,
    type ImageReference,
    type RegistryUrl,
} from "./registry-url";

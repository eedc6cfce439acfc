export {
    describeValue,
    invalidInput,
    joinPath,
    nestInputErrors,
    type InvalidInput,
} from "./errors";
export { dnsLabel, shortHash } from "./names";
export { standardLabels, type ModuleName } from "./labels";
export {
    configMapKeyProblems,
    dns1123LabelProblems,
    dns1123SubdomainProblems,
    isNegativeQuantity,
    labelValueProblems,
    qualifiedNameProblems,
    quantityProblems,
} from "./kubernetes-rules";
export {
    dockerConfigJson,
    imageRef,
    parseImageReference,
    parseRegistryUrl,
    type ImageReference,
    type RegistryUrl,
} from "./registry-url";

export {
    plannedImageName,
    planProcessingImage,
    ProcessingImage,
    type ArtifactRegistryTarget,
    type ProcessingImageArgs,
    type ProcessingImageBuild,
    type ProcessingImagePlan,
} from "./processing-image";

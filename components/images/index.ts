export { ProcessingImage, type ProcessingImageArgs } from "./processing-image";

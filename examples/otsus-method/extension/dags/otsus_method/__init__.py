"""Image references and pull Secret names of the otsus-method extension, written into the installer
image at build time by the WorkflowExtension (build args PROCESSING_IMAGES and IMAGE_PULL_SECRETS)."""
import json
from pathlib import Path

_HERE = Path(__file__).parent
IMAGES = json.loads((_HERE / "images.json").read_text())
PULL_SECRETS = json.loads((_HERE / "pull_secrets.json").read_text())

"""Runs the otsus-method processing container as a Kaapana operator. Its image reference (no
protocol) and pull Secret names come from images.json and pull_secrets.json, written into the
installer image at build time by the WorkflowExtension."""
import json
from datetime import timedelta
from pathlib import Path

from kaapana.operators.KaapanaBaseOperator import KaapanaBaseOperator

_HERE = Path(__file__).parent
IMAGES = json.loads((_HERE / "images.json").read_text())
PULL_SECRETS = json.loads((_HERE / "pull_secrets.json").read_text())


class OtsusMethodOperator(KaapanaBaseOperator):
    def __init__(self, dag, name="otsus-method", execution_timeout=timedelta(minutes=20), *args, **kwargs):
        super().__init__(
            dag=dag,
            name=name,
            image=IMAGES["otsus-method"],
            image_pull_secrets=PULL_SECRETS,
            execution_timeout=execution_timeout,
            ram_mem_mb=2000,
            *args,
            **kwargs,
        )

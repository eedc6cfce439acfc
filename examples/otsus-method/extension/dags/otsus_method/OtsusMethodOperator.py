"""Runs the otsus-method processing container. Its image reference (no protocol) comes from
images.json, written into the installer image at build time by the WorkflowExtension."""
import json
from datetime import timedelta
from pathlib import Path

from kaapana.operators.KaapanaBaseOperator import KaapanaBaseOperator

IMAGES = json.loads((Path(__file__).parent / "images.json").read_text())


class OtsusMethodOperator(KaapanaBaseOperator):
    def __init__(self, dag, name="otsus-method", execution_timeout=timedelta(minutes=20), *args, **kwargs):
        super().__init__(
            dag=dag,
            name=name,
            image=IMAGES["otsus-method"],
            image_pull_secrets=["registry-secret"],
            execution_timeout=execution_timeout,
            ram_mem_mb=2000,
            *args,
            **kwargs,
        )

"""The otsus-method workflow on this platform (Airflow 3): one KubernetesPodOperator task runs the
processing container in a project namespace, pulling with the project-scope pull Secret."""
from datetime import datetime, timedelta, timezone

from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.sdk import DAG
from kubernetes.client import models as k8s
from otsus_method import IMAGES, PULL_SECRETS

with DAG(
    dag_id="otsus-method",
    schedule=None,
    start_date=datetime(2025, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    params={"namespace": "project-a"},
    default_args={"retries": 0, "retry_delay": timedelta(seconds=30)},
):
    KubernetesPodOperator(
        task_id="otsus-method",
        name="otsus-method",
        namespace="{{ params.namespace }}",
        image=IMAGES["otsus-method"],
        image_pull_secrets=[k8s.V1LocalObjectReference(name=name) for name in PULL_SECRETS],
        execution_timeout=timedelta(minutes=20),
        get_logs=True,
    )

"""Airflow DAG of the otsus-method workflow: fetch the images, threshold them with Otsu's method."""
from datetime import timedelta

from airflow.models import DAG
from airflow.utils.dates import days_ago
from kaapana.operators.LocalGetInputDataOperator import LocalGetInputDataOperator
from kaapana.operators.LocalWorkflowCleanerOperator import LocalWorkflowCleanerOperator
from otsus_method.OtsusMethodOperator import OtsusMethodOperator

args = {
    "ui_visible": True,
    "owner": "kaapana",
    "start_date": days_ago(0),
    "retries": 0,
    "retry_delay": timedelta(seconds=30),
}

dag = DAG(dag_id="otsus-method", default_args=args, schedule_interval=None)

get_input = LocalGetInputDataOperator(dag=dag)
otsus_method = OtsusMethodOperator(dag=dag, input_operator=get_input)
clean = LocalWorkflowCleanerOperator(dag=dag, clean_workflow_dir=True)

get_input >> otsus_method >> clean

"""The otsus-method workflow inside an existing Kaapana platform (Kaapana 0.6.0 runs Airflow 2.11):
Kaapana's operators fetch the input and clean up; a fixed start date and `schedule` keep the DAG
valid on Airflow 3 too."""
from datetime import datetime, timedelta, timezone

from airflow.models import DAG
from kaapana.operators.GetInputOperator import GetInputOperator
from kaapana.operators.LocalWorkflowCleanerOperator import LocalWorkflowCleanerOperator
from otsus_method.OtsusMethodOperator import OtsusMethodOperator

args = {
    "ui_visible": True,
    "owner": "kaapana",
    "start_date": datetime(2025, 1, 1, tzinfo=timezone.utc),
    "retries": 0,
    "retry_delay": timedelta(seconds=30),
}

dag = DAG(dag_id="otsus-method", default_args=args, schedule=None, catchup=False)

get_input = GetInputOperator(dag=dag)
otsus_method = OtsusMethodOperator(dag=dag, input_operator=get_input)
clean = LocalWorkflowCleanerOperator(dag=dag, clean_workflow_dir=True)

get_input >> otsus_method >> clean

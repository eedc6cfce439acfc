// Run by dag-installer-chart.test.ts in a child process: an installer image name only known as an
// Output is checked inside apply, and a protocol there must fail the run.
import * as pulumi from "@pulumi/pulumi";
import { DagInstallerChart } from "../../../components/dags";
import { runProgram } from "../../../components/testing";

runProgram(
    () => {
        new DagInstallerChart("otsus-method", {
            image: { imageName: pulumi.output("https://registry.example.com/dag-x:1.0.0") },
            namespace: "services",
            imagePullSecrets: ["registry-service"],
            dagsClaimName: "airflow-dags",
        });
    },
    { preview: false },
).then(
    () => {
        console.log("run succeeded");
        process.exitCode = 0;
    },
    (err) => {
        console.log(`run failed: ${err.message}`);
        process.exitCode = 3;
    },
);

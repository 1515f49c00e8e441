# Test harness, not part of the guide: runs guide.py as a script, then prints what the test reads
# back through Labelport's own API (the project, the data row's global key, the last import job).
import json
import runpy
import sys

ns = runpy.run_path(sys.argv[1], run_name="__main__")
job = ns["upload_job"]  # the guide's last job: the ground-truth LabelImport
print("LABELPORT-RESULT " + json.dumps({
    "projectId": ns["project"].uid,
    "globalKey": ns["global_key"],
    "batchSize": ns["batch"].size,
    "labelImport": {"name": job.name, "state": job.state.value, "errors": job.errors,
                    "statuses": job.statuses},
}))

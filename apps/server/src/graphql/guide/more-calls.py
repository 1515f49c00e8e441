# The SDK calls of the issue that the guide itself does not make: task.result, create_from_file,
# create_from_url, inputs, statuses, errors, wait_until_done, dataset.delete.
import json
import os
import tempfile

import labelbox as lb
import labelbox.types as lb_types

client = lb.Client(os.environ["LABELPORT_API_KEY"], endpoint=os.environ["LABELPORT_ENDPOINT"] + "/graphql")
out = {}

dataset = client.create_dataset(name="more-calls")
task = dataset.create_data_rows([{"row_data": os.environ["GUIDE_IMAGE_URL"], "global_key": "more-calls-key"}])
task.wait_till_done()
out["task_result"] = task.result
out["task_status"] = task.status

# a local file: the SDK uploads it (UploadFile) and sends the URL it got back as row_data
import requests
image_path = os.path.join(tempfile.mkdtemp(), "local.jpeg")
with open(image_path, "wb") as f:
    f.write(requests.get(os.environ["GUIDE_IMAGE_URL"]).content)
file_task = dataset.create_data_rows([{"row_data": image_path, "global_key": "more-calls-file"}])
file_task.wait_till_done()
out["file_result"] = file_task.result
out["file_errors"] = file_task.errors

builder = lb.OntologyBuilder(tools=[lb.Tool(tool=lb.Tool.Type.BBOX, name="box")])
ontology = client.create_ontology("more-calls", builder.asdict(), media_type=lb.MediaType.Image)
project = client.create_project(name="more-calls", media_type=lb.MediaType.Image)
project.connect_ontology(ontology)
project.create_batch("more-calls-batch", global_keys=["more-calls-key"], priority=2)
out["project_again"] = client.get_project(project.uid).name

line = {"uuid": "5f2b6a8e-3c1d-4e5f-8a9b-0c1d2e3f4a5b", "dataRow": {"globalKey": "more-calls-key"},
        "name": "box", "bbox": {"top": 1, "left": 2, "height": 3, "width": 4}}
path = os.path.join(tempfile.mkdtemp(), "predictions.ndjson")
with open(path, "w") as f:
    f.write(json.dumps(line) + "\n")
from_file = lb.MALPredictionImport.create_from_file(client, project.uid, "from-file", path)
from_file.wait_until_done(sleep_time_seconds=1)
out["from_file"] = {"state": from_file.state.value, "statuses": from_file.statuses,
                    "inputs": from_file.inputs, "errors": from_file.errors}

from_url = lb.LabelImport.create_from_url(client, project.uid, "from-url", os.environ["GUIDE_NDJSON_URL"])
from_url.wait_until_done(sleep_time_seconds=1)
out["from_url"] = {"state": from_url.state.value, "statuses": from_url.statuses, "errors": from_url.errors}
again = lb.LabelImport.from_name(client, project.uid, "from-url")
out["from_name"] = again.uid == from_url.uid

empty = client.create_dataset(name="empty")
empty.delete()
try:
    client.get_dataset(empty.uid)
    out["deleted"] = False
except lb.exceptions.ResourceNotFoundError:
    out["deleted"] = True
print("LABELPORT-RESULT " + json.dumps(out, default=str))

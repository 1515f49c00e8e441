# The guide's MAL import (MALPredictionImport.create_from_objects of Labels, then upload_job.errors
# and .statuses as the guide prints them) with N bounding boxes, through Labelbox's Python SDK.
import json
import os
import sys
import time
import uuid

import labelbox as lb
import labelbox.types as lb_types

client = lb.Client(os.environ["LABELPORT_API_KEY"], endpoint=os.environ["LABELPORT_ENDPOINT"] + "/graphql")
project_id = sys.argv[1]
keys = sys.argv[2].split(",")
total = int(sys.argv[3])

t0 = time.time()
label = []
for i, key in enumerate(keys):
    count = total // len(keys) + (1 if i < total % len(keys) else 0)
    annotations = [
        lb_types.ObjectAnnotation(name="box", value=lb_types.Rectangle(
            start=lb_types.Point(x=j % 500, y=(j // 500) % 400),
            end=lb_types.Point(x=j % 500 + 10, y=(j // 500) % 400 + 10)))
        for j in range(count)
    ]
    label.append(lb_types.Label(data={"global_key": key}, annotations=annotations))
t1 = time.time()
upload_job = lb.MALPredictionImport.create_from_objects(
    client=client, project_id=project_id, name="bench_py" + str(uuid.uuid4()), predictions=label)
t2 = time.time()
errors = upload_job.errors  # as the guide: waits (10 s polls), then downloads the error file
statuses = upload_job.statuses
t3 = time.time()
print("LABELPORT-RESULT " + json.dumps({
    "build_s": t1 - t0, "serialize_upload_s": t2 - t1, "wait_and_fetch_s": t3 - t2, "total_s": t3 - t0,
    "statuses": len(statuses), "errors": len(errors), "importId": upload_job.uid}))

# The SDK's error paths against Labelport: each case prints the exception the SDK raised.
import json
import os
import sys

import labelbox as lb

endpoint = os.environ["LABELPORT_ENDPOINT"] + "/graphql"
client = lb.Client(os.environ["LABELPORT_API_KEY"], endpoint=endpoint)
results = {}


def case(name, fn):
    try:
        value = fn()
        results[name] = {"ok": True, "value": value}
    except Exception as err:  # the test asserts which class
        results[name] = {"ok": False, "type": type(err).__name__, "message": str(err)}


case("bad_key", lambda: lb.Client("not-a-key", endpoint=endpoint).get_user().uid)
case("unknown_project", lambda: client.get_project("cunknownproject0000000000").uid)


def duplicate_global_key():
    dataset = client.create_dataset(name="dup-a")
    first = dataset.create_data_rows([{"row_data": os.environ["GUIDE_IMAGE_URL"], "global_key": "dup-key"}])
    first.wait_till_done()
    other = client.create_dataset(name="dup-b")
    task = other.create_data_rows([{"row_data": os.environ["GUIDE_IMAGE_URL"], "global_key": "dup-key"}])
    task.wait_till_done()
    return {"first": first.errors, "errors": task.errors, "failed": task.failed_data_rows,
            "status": task.status, "rowCount": other.row_count}


case("duplicate_global_key", duplicate_global_key)
# not part of the guide: Labelbox's model runs are not something Labelport has
case("unsupported", lambda: len(list(client.get_models())))
case("video_project", lambda: client.create_project(name="v", media_type=lb.MediaType.Video).uid)
print("LABELPORT-RESULT " + json.dumps(results, default=str))
sys.stdout.flush()

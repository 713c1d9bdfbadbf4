"""Seeds a moto server with ECS resources for assetql's ingestion tests.

Usage: seed.py ENDPOINT ACCOUNT REGION < actions.json
Prints a JSON list with one result per action (ARNs created). ACCOUNT is reached through
AssumeRole (moto serves a role's requests from the role's account); "default" uses moto's own.
"""
import json
import sys
import urllib.request

import boto3

endpoint, account, region = sys.argv[1], sys.argv[2], sys.argv[3]
actions = json.load(sys.stdin)

# moto advances a task's lastStatus on every DescribeTasks unless its state machine is frozen.
urllib.request.urlopen(urllib.request.Request(
    f"{endpoint}/moto-api/state-manager/set-transition", method="POST",
    data=json.dumps({"model_name": "ecs::task",
                     "transition": {"progression": "manual", "times": 1000000000}}).encode()))

base = dict(endpoint_url=endpoint, region_name=region,
            aws_access_key_id="testing", aws_secret_access_key="testing")
creds = {}
if account != "default":
    sts = boto3.client("sts", **base)
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/seeder", RoleSessionName="seed")["Credentials"]
    creds = dict(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                 aws_session_token=c["SessionToken"])
cfg = {**base, **creds}
ecs = boto3.client("ecs", **cfg)
ec2 = boto3.client("ec2", **cfg)

results = []
for action in actions:
    op = action["op"]
    if op == "cluster":
        settings = []
        if action.get("insights") is not None:
            settings = [{"name": "containerInsights", "value": action["insights"]}]
        out = ecs.create_cluster(clusterName=action["name"], settings=settings)
        results.append(out["cluster"]["clusterArn"])
    elif op == "instance":
        instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]
        document = json.dumps({
            "instanceId": instance["InstanceId"],
            "region": region,
            "availabilityZone": instance["Placement"]["AvailabilityZone"],
            "instanceType": instance["InstanceType"],
            "imageId": instance["ImageId"],
            "privateIp": instance.get("PrivateIpAddress"),
            "accountId": account,
        })
        out = ecs.register_container_instance(cluster=action["cluster"], instanceIdentityDocument=document)
        results.append(out["containerInstance"]["containerInstanceArn"])
    elif op == "td":
        containers = []
        for c in action["containers"]:
            spec = {"name": c["name"], "image": c.get("image", "nginx:1"), "memory": 64, "cpu": 16}
            for key in ("privileged", "user", "readonlyRootFilesystem"):
                if key in c:
                    spec[key] = c[key]
            if "environment" in c:
                spec["environment"] = [{"name": k, "value": v} for k, v in c["environment"].items()]
            containers.append(spec)
        kwargs = {"family": action["family"], "containerDefinitions": containers}
        for key in ("networkMode", "pidMode"):
            if key in action:
                kwargs[key] = action[key]
        if "tags" in action:
            kwargs["tags"] = [{"key": k, "value": v} for k, v in action["tags"].items()]
        out = ecs.register_task_definition(**kwargs)
        results.append(out["taskDefinition"]["taskDefinitionArn"])
    elif op == "run":
        out = ecs.run_task(cluster=action["cluster"], taskDefinition=action["td"], count=action.get("count", 1))
        results.append([t["taskArn"] for t in out["tasks"]])
    elif op == "stop":
        ecs.stop_task(cluster=action["cluster"], task=action["task"], reason="test")
        results.append(action["task"])
    elif op == "deregister":
        out = ecs.deregister_task_definition(taskDefinition=action["td"])
        results.append(out["taskDefinition"]["taskDefinitionArn"])
    elif op == "service":
        kwargs = {"cluster": action["cluster"], "serviceName": action["name"],
                  "taskDefinition": action["td"], "desiredCount": 0}
        if "launchType" in action:
            kwargs["launchType"] = action["launchType"]
        if "platformVersion" in action:
            kwargs["platformVersion"] = action["platformVersion"]
        if "assignPublicIp" in action:
            subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
            group = ec2.describe_security_groups()["SecurityGroups"][0]["GroupId"]
            vpc = {"subnets": [subnet], "securityGroups": [group]}
            if action["assignPublicIp"] is not None:
                vpc["assignPublicIp"] = action["assignPublicIp"]
            kwargs["networkConfiguration"] = {"awsvpcConfiguration": vpc}
        out = ecs.create_service(**kwargs)
        results.append(out["service"]["serviceArn"])
    elif op == "call":
        # Any ECS call with its request as the API takes it: {"op": "call", "method":
        # "register_task_definition", "args": {...}}; the result is the answer.
        out = getattr(ecs, action["method"])(**action["args"])
        out.pop("ResponseMetadata", None)
        results.append(json.loads(json.dumps(out, default=str)))
    else:
        raise SystemExit(f"unknown op {op!r}")

print(json.dumps(results))

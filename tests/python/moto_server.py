"""moto's server with the one fix assetql's tests need where moto departs from the AWS API.

Each fix is a divergence written down in ../shared/reference/aws-ecs-and-moto.md; the product
code follows AWS, never moto.

- DescribeCapacityProviders without `capacityProviders` lists every capacity provider of the
  account and region (AWS); moto 5 iterates the absent list and answers HTTP 500.
"""

import sys

from moto.ecs import models
from moto.server import main

_describe_capacity_providers = models.EC2ContainerServiceBackend.describe_capacity_providers


def describe_capacity_providers(self, names):
    if not names:
        names = list(self.capacity_providers)
    return _describe_capacity_providers(self, names)


models.EC2ContainerServiceBackend.describe_capacity_providers = describe_capacity_providers

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""pytest-bdd finds steps only in conftest modules (or their imports), so every step module is
imported here whole: the decorators add fixtures under generated names, which a module-level
__all__ would hide from the star imports."""

import pytest

from firehose_conformance.targets.base import Target
from firehose_conformance.world import Observations, World

from .api_rules import *
from .common import *
from .delivery import *
from .encryption_calls import *
from .encryption_status import *
from .keys import *
from .kinesis import *
from .metrics import *
from .puts import *
from .streams import *


@pytest.fixture
def world(fsc_observations: Observations) -> World:
    """The scenario's state; its observations are the plugin's, which decide the verdict."""
    return World(observations=fsc_observations)


@pytest.fixture
def t(scenario_target: Target) -> Target:
    """The target, prepared for this scenario (short name: every step takes it)."""
    return scenario_target

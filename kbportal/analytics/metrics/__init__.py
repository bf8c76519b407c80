"""The dashboard's sections, in the order they are shown; importing a module registers its figures."""

# isort: off
from . import selfservice  # noqa: F401
from . import tickets  # noqa: F401
from . import satisfaction  # noqa: F401
from . import community  # noqa: F401
# isort: on

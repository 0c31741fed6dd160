"""The array type of the generator's vectorised code: numpy arrays of any dtype."""

from __future__ import annotations

from typing import Any

import numpy.typing as npt

Arr = npt.NDArray[Any]

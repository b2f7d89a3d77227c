"""Shared fixtures: where the pinned official testsuite lives."""
import os
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
SUITE = REPO.parent / "shared" / "spec-testsuite"


@pytest.fixture(scope="session")
def suite() -> pathlib.Path:
    """The pinned official testsuite beside the repo (../shared/spec-testsuite).

    Missing it is a failure in CI (it is always there) and a visible skip
    elsewhere, never a silent one.
    """
    if not SUITE.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"spec testsuite not found at {SUITE}")
        pytest.skip(f"spec testsuite not found at {SUITE}")
    return SUITE

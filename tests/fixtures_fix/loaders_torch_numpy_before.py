"""PKL102 on torch.load and numpy.load(allow_pickle=True); executed against recording stand-ins."""
# fix-args: --unsafe-fixes
# fixes: PKL102
# before-raises: AssertionError "unpickling allowed"
import numpy as np
import torch


def load_checkpoint(path):
    return torch.load(path, map_location="cpu")


def load_table(path):
    return np.load(path, allow_pickle=True)


def roundtrip():
    # tests/test_fix_fixtures.py installs stand-ins that return the keywords they were called with.
    if load_checkpoint("model.pt").get("weights_only") is not True:
        raise AssertionError("unpickling allowed by torch.load")
    if load_table("table.npy").get("allow_pickle", False):
        raise AssertionError("unpickling allowed by numpy.load")

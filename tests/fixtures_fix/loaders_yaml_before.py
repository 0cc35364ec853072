"""PKL102 on yaml.load: the unsafe loader runs code from the document; safe_load refuses it."""
# fix-args: --unsafe-fixes
# fixes: PKL102
# before-raises: AssertionError "the payload ran"
import yaml
from yaml import load

PAYLOAD = "!!python/object/apply:os.getpid []"


def read_config(text):
    return yaml.load(text, Loader=yaml.Loader)


def read_all(text):
    return list(yaml.load_all(
        text,
        yaml.UnsafeLoader,
    ))


def read_bare(text):
    return load(text, Loader=yaml.FullLoader)


def roundtrip():
    assert read_config("retries: 3") == {"retries": 3}
    assert read_all("a: 1\n---\nb: 2") == [{"a": 1}, {"b": 2}]
    assert read_bare("[1, 2]") == [1, 2]
    for reader in (read_config, read_all):
        try:
            reader(PAYLOAD)
        except yaml.constructor.ConstructorError:
            continue
        raise AssertionError("the payload ran")

"""YAML loaders another module passes to ``yaml.load`` (webapp/yaml_config.py): a subclass is as safe,
or as unsafe, as the loader it derives from (probe G: MONAI's ``SafeLoader`` subclass was PKL102)."""
import yaml
from yaml import SafeLoader


class StrictLoader(SafeLoader):
    pass


class ObjectLoader(yaml.FullLoader):
    pass

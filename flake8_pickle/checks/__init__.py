"""The rule families, one module (or package) each, each a :class:`~flake8_pickle.scope.Listener`
of the one walk (:mod:`flake8_pickle.analysis` lists them):

- :mod:`.loaders`: PKL101-PKL103 and the PKL901 inventory (what reaches a pickle-family loader);
- :mod:`.unpicklers`: PKL104 (restricted unpicklers that a payload can get around);
- :mod:`.copying`: PKL201-PKL204, PKL301 and the PKL902 inventory (what is copied, pickled or sent
  to another process, and the resource-holding classes that are);
- :mod:`.protocol`: PKL302-PKL308 (a class's own pickling protocol).
"""

"""The catalogue: every table of qualified names the rules match against, in one package.

- ``names``: module families several tables share (the pickle modules, pyzmq).
- ``loaders``: the loader catalogue and its argument conditions (PKL101-PKL103, PKL901).
- ``taint``: sources, sanitizers, verifiers, transforms, framework conventions (PKL101).
- ``gadgets``: code-execution globals (PKL104, PKL307).
- ``handoff``: copies, dumps, pools, queues, connections, processes (PKL201-PKL204).
- ``resources`` and ``resource_table`` (generated): what each resource type does under
  pickle, deepcopy and copy, measured (PKL2xx, PKL3xx).
- ``conventions``: library names the engine and the class rules recognise (field
  decorators, no-return calls, exception-expecting contexts...).

A test (``tests/test_catalog_layout.py``) fails when a module outside this package
defines a table of dotted names. Import from the submodules: this file imports nothing,
so that the engine (``scope.py``) can read the catalogue without an import cycle.
"""

"""``flake8-pickle fix``: rewrite what the analysis finds, with libcst (imported only here).

The fixer shares the rule registry, the catalogues and the analysis with the
flake8 plugin, never the flake8 run itself. See :mod:`.engine` for how a rewrite
is verified and :mod:`.registry` for the codemods.
"""

"""The project index: what each module of a project tells the others (see ``index.py``).

Nothing here runs unless a file is linted inside a project: a module analysed alone
(a snippet, ``analyze(tree)``) reads no index.
"""

"""cc-pack's hook package: the rules Claude Code's hook events run, stdlib only.

The entry files Claude Code starts live in ``hooks/`` and only wire a rules module to ``runtime``;
``init`` installs this package beside them, so ``python3 -S entry.py`` imports it with no
site-packages. Layout: plumbing (``runtime``, ``store``, ``session``, ``paths``, ``process``,
``globs``, ``roles``), the Bash analysis (``bash.words``, ``bash.writes``), the findings
contract validator (``contract``) and one module per hook under ``rules``.
"""

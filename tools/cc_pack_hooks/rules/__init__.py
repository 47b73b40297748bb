"""One module per hook, named after it: each has a pure ``decide(event)`` and ``handle(event)``
(decide, then record what the decision implies), plus ``HOOK`` and ``ON_ERROR`` for the runtime."""

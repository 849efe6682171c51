"""Reads of the plans app, each a constant number of queries: ``tree`` (plans, the plan tree
with its roll-ups, indicator rows) and ``cycle`` (cycles, evaluations, reviews and 総括).
Callers import the submodule; the policy (``plans.permissions``) narrows what each shows."""

"""The fulfilment stage.

From a merged request to done (SPEC §6): decisions, tasks, actions, backends, status, commit,
apply and its summary.
"""

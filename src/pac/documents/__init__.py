"""The documents stage.

YAML with positions, the JSON Schemas, typed models, pac.yaml and the repository's layout.
"""

"""The validation stage.

`pac validate`'s run, its rule checks, CODEOWNERS, and findings as text, JSON, SARIF.
"""

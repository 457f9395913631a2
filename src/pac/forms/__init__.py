"""The forms stage.

An offering's form as JSON Schema, ECMA-262 patterns, and checking a request's input against it.
"""

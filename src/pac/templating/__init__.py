"""The templating stage.

Pac's Jinja (leading-dot variables, encoders, the sandbox) and the four namespaces.
"""

"""The authoring stage.

What people write and read before a pull request: discovery, scaffolds, request files, previews
and the static site.
"""

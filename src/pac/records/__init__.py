"""What pac records of each request's life: its states and its status file (SPEC §6.2).

Below validation, so `pac validate` can read what was fulfilled when it checks a change on
a pull request (SPEC §6.6); written only by `pac apply`.
"""

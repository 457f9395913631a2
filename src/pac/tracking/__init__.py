"""The tracking stage.

What happened after apply: status views next to JIRA, and figures for leaders.
"""

"""The templating stage: pac's Jinja, from a template's text to its rendered output.

- `translation`: pac's leading-dot references rewritten into Jinja, outputs wrapped;
- `encoders`: each output written for where it stands (JSON, JIRA, a URL, a header…),
  with `jiramarkup` for JIRA's wiki markup;
- `values`: secrets (masked unless sending), encoded JSON, apply-time stand-ins;
- `sandbox` and `limits`: the Jinja environment templates run in, and what they may ask for;
- `engine`: compile and render, the API for everything that renders;
- `analysis`: what a template uses, read by the `fastreader` or Jinja's parser (`walker`),
  found as `usage` (the variables used, and what is wrong);
- `syntax` and `gosyntax`: syntax errors in the author's words;
- `errors`: the stage's one error, a template that cannot be compiled or rendered;
- `namespaces`: the four namespaces a template reads (`.current`, `.output`, …).
"""

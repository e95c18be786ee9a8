"""The YAML front end: a recipe's text in, a core `Outcome` out (document, splice, verify, front_end)."""

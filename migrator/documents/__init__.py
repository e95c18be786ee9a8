"""The documentation front end: YAML and Python code blocks in Markdown, MDX and reStructuredText pages."""

SUFFIXES = (".md", ".mdx", ".rst")

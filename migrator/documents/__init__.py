"""Documentation files (Markdown, MDX): their YAML and Python code blocks through the existing front ends."""

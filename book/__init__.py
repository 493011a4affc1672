"""Helper package of the course "Why convolution?".

Importing it has no side effects: notebooks call `book.notebook.setup_notebook()`
in their first cell to fix seeds, figure format and print options.
"""

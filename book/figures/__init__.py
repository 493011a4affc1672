"""The book's figures, one module per kind; each function draws one figure.

- `style`: the palette and the small drawing helpers every figure shares.
- `diagrams`: networks drawn as nodes and connections.
- `curves`: measured quantities against a setting (line plots).
- `panels`: images, weights and feature maps side by side.
- `explorers`: what the interactive explorers draw, and their static twins.

Every figure function returns the matplotlib Figure it made, so a notebook cell
shows it exactly once. Nothing here changes rcParams: the house style comes from
`book.notebook.setup_notebook()`.
"""

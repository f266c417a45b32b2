"""Writing (part of) the catalogue to a file, one module per kind of file:

- catalogue_file.py: the whole catalogue as format 1, YAML or JSON Lines (`export yaml`,
  `export jsonl`); re-importable (domain/importing).
- scene_table.py: a set of scenes (the filters of `list scenes`) as JSON or a CSV
  spreadsheet (`export json`, `export csv`); `import FILE.csv` reads the CSV back.
- Markdown articles (`export markdown`) have a package of their own: domain/articles.

Each writer writes to an open text stream and returns how many records it wrote; the CLI
(cli/commands_export.py) hands it a file through scenecat.files, the one atomic writer,
or standard output.
"""

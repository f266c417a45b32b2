"""The catalogue as a website, on Datasette (`scenecat serve`, `scenecat publish`).

`site` writes Datasette's metadata from the schema, `plugin` is the Datasette plugin shipped
with scenecat (search, rankings, spoilers, clips), `publish` writes a folder any Datasette host
can serve. Only `serve` and `publish` import this package; Datasette is the `web` extra.
"""

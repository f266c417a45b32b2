"""Entry point for `scenecat` and `python -m scenecat`.

`--version` is answered here, before Typer (and everything behind it) is imported,
so that the most common probe of a CLI costs about as much as a bare interpreter. (No
`from __future__ import annotations` here: even that import shows on this path.)
"""

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from scenecat import __version__

        sys.stdout.write(f"scenecat {__version__}\n")
        return
    from scenecat.cli.app import run

    run()


if __name__ == "__main__":
    main()
